"""The start-up floor of Sunshine's stack: its third-party apps (Django, Wagtail 8 with the contrib apps it uses,
allauth with MFA, channels, django-tasks, ninja, csp) and their URLs, with none of the project's apps.
`python -m bench.startup` starts `manage.py check` with these settings as a baseline."""
