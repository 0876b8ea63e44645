"""The chat front end: Chainlit over the one answer path (`assistant chat`).

adapter.py turns answers into what the chat shows (plain data, no Chainlit); app.py is the Chainlit
app; data_layer.py gives Chainlit somewhere to put feedback and nothing else; users.py holds the
optional log-ins; launch.py starts Chainlit.
"""
