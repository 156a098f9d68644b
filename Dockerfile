# The hosted oc-scale MCP endpoint: streamable HTTP on port 8000, bearer token required.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY oc_scale_mcp ./oc_scale_mcp
RUN pip install --no-cache-dir . && useradd --create-home oc
USER oc
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# OC_SCALE_TOKEN must be set at run time: the server refuses a public bind without it.
CMD ["oc-scale", "serve", "--http", "--host", "0.0.0.0", "--port", "8000"]
