"""`manage.py runserver` (`make run`): daphne's development server, the ASGI application over HTTP and WebSocket.

Daphne is not an installed app: its AppConfig imports Twisted, autobahn and pyOpenSSL in every process (a quarter
of a second of each management command's start-up); this command imports them only when the server runs. It wins
over `django.contrib.staticfiles`' runserver because `core` is listed before it, and daphne's command serves the
static files in debug the same way.
"""

from daphne.management.commands.runserver import Command as DaphneRunserver


class Command(DaphneRunserver):
    help = "Starts the development server: the ASGI application (HTTP and WebSocket) under daphne."
