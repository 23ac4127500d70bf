"""moto's S3 server with one request handled at a time.

moto checks If-Match / If-None-Match and then stores the object as two steps, and moto_server runs each
request on its own thread, so two conditional PUTs racing for one key can both pass the check. AWS S3 and
MinIO decide such a race atomically. Handling one request at a time (connections stay threaded, so
keep-alive works as before) makes the check and the write one step, as on AWS.

Usage: python3 moto-serialized.py HOST PORT
"""
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

moto = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()


def app(environ, start_response):
    with one_at_a_time:
        # The whole answer is made inside the lock: a response body read later must not see a newer object.
        answer = moto(environ, start_response)
        try:
            return list(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()


signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
run_simple(sys.argv[1], int(sys.argv[2]), app, threaded=True)
