"""政府购买服务问答助手 — the core package (the notice it answers on: corpus/document.toml).

Light on import: nothing here loads chromadb, torch, gradio or an embedding model."""

__version__ = "0.1.0"
