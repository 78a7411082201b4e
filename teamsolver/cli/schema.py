"""``teamsolver schema``: the JSON Schema of the instance document."""

from __future__ import annotations

import json

import click

from ..data.instance import Instance


@click.command()
def schema() -> None:
    """Print the JSON Schema of the instance document (the .json format).

    \b
    Example:
      teamsolver schema > instance.schema.json
    """
    body = Instance.model_json_schema(mode="serialization", by_alias=True)
    # A document may name its schema, as editors expect; the reader ignores the key.
    properties = {"$schema": {"type": "string"}, **body.pop("properties")}
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **body,
        "title": "teamsolver instance",
        "properties": properties,
    }
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
