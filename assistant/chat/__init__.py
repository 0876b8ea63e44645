"""The chat front end: Chainlit over the one answer path (`assistant chat`).

adapter.py turns answers into what the chat shows (plain data, no Chainlit); app.py is the Chainlit
app; data_layer.py gives Chainlit somewhere to put feedback and nothing else; routes.py takes a
rating only from the chat that received the answer; edge.py checks every request before Chainlit
sees it (its Host, its size, no API documentation); users.py holds the optional log-ins and their
throttle; launch.py starts Chainlit.
"""
