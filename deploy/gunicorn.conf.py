# gunicorn settings of a Satu Data web node (read by `gunicorn -c deploy/gunicorn.conf.py`).
# Every value can be set from the environment of the unit or supervisor program, so that the
# same file serves one host and many nodes. The defaults suit the 2-core, 4 GiB node the README
# sizes ("Deployment"); measure with benchmarks/bench_load.py before changing them.
import multiprocessing
import os


def _int(name, default):
    return int(os.environ.get(name, default))


wsgi_app = "ckanext.satudata_balikpapan.ops.wsgi:application"
# One address, or several web nodes on one host under one supervisor program (numprocs): node N
# listens on SATUDATA_WEB_PORT_BASE + N, so that nginx can retry a request on the next one.
if os.environ.get("SATUDATA_WEB_NODE"):
    bind = f"127.0.0.1:{_int('SATUDATA_WEB_PORT_BASE', 8001) + _int('SATUDATA_WEB_NODE', 0)}"
else:
    bind = os.environ.get("SATUDATA_WEB_BIND", "127.0.0.1:8001")

# Processes x threads: CKAN is thread-safe per request (scoped sessions), and a thread waiting
# on Solr or PostgreSQL lets its process serve another request. One process per core plus one,
# two threads each: each process holds its own connection pool (keep
# workers x threads x nodes below PostgreSQL's max_connections).
workers = _int("SATUDATA_WEB_WORKERS", multiprocessing.cpu_count() + 1)
worker_class = "gthread"
threads = _int("SATUDATA_WEB_THREADS", 2)

# Recycle a process after this many requests (with jitter, so they do not all restart at once):
# bounds the memory a long-lived Python process gathers.
max_requests = _int("SATUDATA_WEB_MAX_REQUESTS", 1000)
max_requests_jitter = _int("SATUDATA_WEB_MAX_REQUESTS_JITTER", 100)
# A request that runs longer is killed and answered 502 by nginx (which retries it elsewhere
# only for GET/HEAD). Validation of big files runs in the jobs worker, never here.
timeout = _int("SATUDATA_WEB_TIMEOUT", 60)
graceful_timeout = _int("SATUDATA_WEB_GRACEFUL_TIMEOUT", 30)
# keep above nginx's upstream keepalive_timeout (4 s, deploy/nginx/satudata.conf.in)
keepalive = _int("SATUDATA_WEB_KEEPALIVE", 5)

# Behind nginx on the same host or network: trust its X-Forwarded-* headers only.
forwarded_allow_ips = os.environ.get("SATUDATA_TRUSTED_PROXIES", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190
limit_request_fields = 100

# Logs to stdout/stderr, collected by journald or the supervisor; one JSON object per request.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("SATUDATA_WEB_LOGLEVEL", "info")
access_log_format = (
    '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "query": "%(q)s", '
    '"status": %(s)s, "bytes": "%(B)s", "ms": %(M)s, "agent": "%(a)s", "pid": "%(p)s"}'
)
# Only the web node's own temporary files; /dev/shm keeps heartbeat files off a slow disk.
worker_tmp_dir = os.environ.get("SATUDATA_WEB_TMP", "/dev/shm")
