"""The one place that sends HTTP: a shared httpx client, SSE reading, provider error mapping."""
