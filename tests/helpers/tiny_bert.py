"""A tiny BERT built from a character vocabulary of the data, for tests and benchmarks.

No hub is reachable here, so tests cannot download a Chinese checkpoint. This builds a
randomly initialised BERT small enough to fine-tune for a few steps on two cores, saved
like any local checkpoint (with a fast tokenizer), so the real loading and fine-tuning
code path is exercised.
"""
from __future__ import annotations

from pathlib import Path

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_tiny_bert(texts: list[str], out_dir: str | Path, hidden: int = 32, layers: int = 1, seed: int = 0) -> Path:
    """Write vocab, tokenizer and a random tiny BertModel to `out_dir`; returns the path."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chars = sorted({c for t in texts for c in t if not c.isspace()})
    vocab_file = out / "vocab.txt"
    vocab_file.write_text("\n".join(SPECIALS + chars) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab_file), do_lower_case=False, tokenize_chinese_chars=True)
    tokenizer.save_pretrained(out)
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(SPECIALS) + len(chars), hidden_size=hidden, num_hidden_layers=layers,
                        num_attention_heads=2, intermediate_size=2 * hidden, max_position_embeddings=512)
    BertModel(config).save_pretrained(out, safe_serialization=True)
    return out
