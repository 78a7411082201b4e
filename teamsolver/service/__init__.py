"""teamsolver as a service: a REST job API with progress events, and a page for planners.

``teamsolver serve`` (:mod:`.cli`) runs :func:`.app.create_app` on uvicorn. Jobs wait in a
queue (:mod:`.runner`), run in worker processes or on Dask (:mod:`.work` is what one job does),
and are kept with their results and events in SQLite (:mod:`.store`). Uploads are read by
:mod:`.inputs`. The page is plain HTML, JS and CSS in ``static/``.
"""
