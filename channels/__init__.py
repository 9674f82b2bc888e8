"""Panda Spa's channels: the web widget, Messenger and WhatsApp (Twilio and Cloud API)."""
