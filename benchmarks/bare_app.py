"""The baseline: a bare Flask hello-world served with the same gunicorn settings as Linli."""

from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/hello")
def hello():
    return jsonify({"hello": "world"})
