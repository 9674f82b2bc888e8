"""Custom actions of the Panda Spa assistant."""
