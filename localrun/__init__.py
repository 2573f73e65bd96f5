"""The embedded local runtime: moto in-process, a Lambda Invoke endpoint, the Chalice API.

Never imported by the Lambda package; `make run` starts it with `python -m localrun`.
"""
