"""defence-kg: a linked-data knowledge graph of defence cooperation between states."""

__version__ = "0.1.0"
