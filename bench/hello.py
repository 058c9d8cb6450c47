"""The baseline: a bare Flask hello-world, served by the same gunicorn configuration as the app."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
