"""湘财综〔2022〕28号 政府购买服务问答助手 — the core package.

Light on import: nothing here loads chromadb, torch, gradio or an embedding model."""

__version__ = "0.1.0"
