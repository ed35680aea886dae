"""convmem: a self-hostable Conversation Memory server speaking Twilio's Memory v1 API."""

__version__ = "0.1.0"
