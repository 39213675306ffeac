"""gunicorn settings for `make serve` and the systemd unit in docs/deploy.md.

Every value comes from the environment, with the defaults used on one machine:

GUNICORN_BIND      where to listen (default 127.0.0.1:8000; nginx proxies to it).
GUNICORN_WORKERS   worker processes. Default 2 x cores + 1 (gunicorn's own advice): the
                   requests are short and mostly wait on PostgreSQL, so a few processes per
                   core keep the CPUs busy; 5 on the project's 2-core machine.
GUNICORN_THREADS   threads per worker (default 1: plain sync workers, one request each).
GUNICORN_TIMEOUT   seconds before a stuck worker is restarted (default 60: long work such
                   as roster imports runs in Celery, never in a request).
"""

import multiprocessing
import os

wsgi_app = "huzhou_care.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Restart each worker after this many requests (with jitter), so that a slow leak cannot grow.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# Load the app before forking: less memory per worker, and a broken setting fails at start.
preload_app = True
# Logs go to stdout/stderr (journald). The access log has the method, the path WITHOUT its
# query string (a search can hold a name or an ID number), the status, size and duration.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# nginx in front sets X-Forwarded-*; trust it only from the local machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
