"""Booking requests: what a visitor asks for, checked, summarised and mailed to the team.

Pure logic only (no Rasa, no database): ``when`` reads a day and time in free
text, ``fields`` the other answers, ``dialogue`` decides what a message fills,
``summary`` renders it, ``mailer`` sends it over SMTP.
"""
