"""The visitor's language: English, Vietnamese or Korean."""
