import torch
from fastapi import FastAPI
from flask import Flask, request
from transformers import AutoModel

app = Flask(__name__)
api = FastAPI()
PINNED = "0123456789abcdef0123456789abcdef01234567"


@app.route("/load")
def flask_load():
    name = request.args["model"]
    path = "/models/" + name
    return torch.load(path, weights_only=True)  # expect: lint.request-path-load


@api.post("/models/{model_id}")
async def fastapi_load(model_id: str):
    chosen = model_id
    return AutoModel.from_pretrained(chosen, revision="0123456789abcdef0123456789abcdef01234567")  # expect: lint.request-path-load


def django_view(request, model_name):
    return torch.load(model_name, weights_only=True)  # expect: lint.request-path-load


@app.route("/fixed")
def fixed_model():
    choice = request.args.get("variant")
    log = "variant " + str(choice)
    return torch.load("/models/fixed.pt", weights_only=True), log


def helper(path):
    return torch.load(path, weights_only=True)
