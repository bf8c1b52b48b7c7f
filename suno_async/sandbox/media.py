"""Deterministic media: WAV tones, PNG covers, a fake MP4 box, MIDI notes, lyrics text."""

from __future__ import annotations

import array
import functools
import hashlib
import io
import math
import struct
import wave
import zlib
from typing import Any

SAMPLE_RATE = 8000
WAV_SECONDS = 1.5

CONTENT_TYPES = {
    "wav": "audio/wav",
    "png": "image/png",
    "mp4": "video/mp4",
}


def digest(*parts: object) -> bytes:
    """A stable 32-byte digest of ``parts`` (the seed of every media payload)."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()


@functools.lru_cache(maxsize=256)
def wav_bytes(name: str, seed: int = 0, seconds: float = WAV_SECONDS) -> bytes:
    """A mono 16-bit 8 kHz WAV: a seeded two-note tone with a short fade, ``seconds`` long."""
    d = digest("wav", seed, name)
    f1 = 220.0 + d[0] * 2.0
    f2 = f1 * (1.25 if d[1] % 2 else 1.5)
    frames = int(SAMPLE_RATE * seconds)
    half = frames // 2
    fade = SAMPLE_RATE // 50
    samples = array.array("h", bytes(2 * frames))
    for i in range(frames):
        freq = f1 if i < half else f2
        env = min(1.0, i / fade, (frames - i) / fade)
        samples[i] = int(9000 * env * math.sin(2 * math.pi * freq * i / SAMPLE_RATE))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=256)
def png_bytes(name: str, seed: int = 0, size: int = 16) -> bytes:
    """A ``size`` x ``size`` RGB PNG: a seeded two-colour diagonal gradient."""
    d = digest("png", seed, name)
    c1, c2 = d[0:3], d[3:6]
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            t = (x + y) / (2 * (size - 1))
            rows.extend(int(a + (b - a) * t) for a, b in zip(c1, c2, strict=True))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows)))
        + _png_chunk(b"IEND", b"")
    )


@functools.lru_cache(maxsize=64)
def mp4_bytes(name: str, seed: int = 0) -> bytes:
    """A small ISO-BMFF payload (``ftyp`` + ``free`` + ``mdat`` boxes); not a playable video."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41"
    free = b"free" + b"suno-async sandbox"
    mdat = b"mdat" + digest("mp4", seed, name) * 32
    return b"".join(struct.pack(">I", len(box) + 4) + box for box in (ftyp, free, mdat))


INSTRUMENTS = ("Drums", "Electric Bass (finger)", "Acoustic Grand Piano", "String Ensemble 1")


def midi_instruments(name: str, seed: int = 0, count: int = 2) -> list[dict[str, Any]]:
    """MIDI data as the API returns it: instruments with notes (pitch, start, end, velocity)."""
    d = digest("midi", seed, name)
    result: list[dict[str, Any]] = []
    for k in range(count):
        notes = []
        t = (d[k] % 16) / 32
        for j in range(8):
            b = d[(k * 8 + j) % len(d)]
            length = 0.125 + (b % 4) * 0.125
            notes.append(
                {
                    "pitch": 36 + (b % 48),
                    "start": round(t, 6),
                    "end": round(t + length, 6),
                    "velocity": round(0.5 + (b % 50) / 100, 2),
                }
            )
            t += length
        result.append({"name": INSTRUMENTS[(d[k] + k) % len(INSTRUMENTS)], "notes": notes})
    return result


_WORDS = (
    "city",
    "light",
    "rain",
    "heart",
    "river",
    "night",
    "fire",
    "road",
    "sky",
    "dream",
    "shadow",
    "morning",
    "ocean",
    "echo",
    "glass",
    "summer",
    "winter",
    "home",
    "star",
    "wind",
)
_STYLES = (
    "pop, upbeat",
    "lofi, chill",
    "rock, energetic",
    "ambient, calm",
    "folk, acoustic",
    "electronic, dance",
    "jazz, smooth",
    "cinematic, orchestral",
)


def pick_words(name: str, seed: int, n: int) -> list[str]:
    d = digest("words", seed, name)
    return [_WORDS[d[i] % len(_WORDS)] for i in range(n)]


def make_title(source: str, name: str, seed: int) -> str:
    """A short title: the first words of ``source`` or seeded words."""
    words = [w.strip(".,!?;:") for w in source.split()[:4] if w.strip(".,!?;:")]
    if not words:
        words = pick_words(name, seed, 2)
    return " ".join(words).title()[:60]


def make_style(name: str, seed: int) -> str:
    return _STYLES[digest("style", seed, name)[0] % len(_STYLES)]


def make_lyrics(topic: str, name: str, seed: int) -> str:
    """Bracketed-section lyrics seeded by ``name``, mentioning the first words of ``topic``."""
    w = pick_words(name, seed, 8)
    subject = " ".join(topic.split()[:3]) or w[0]
    return (
        f"[Verse]\n{subject} under the {w[0]} {w[1]}\nWe follow the {w[2]} into the {w[3]}\n"
        f"[Chorus]\nOh {w[4]}, oh {w[5]}\nSing it back to the {w[6]} and the {w[7]}"
    )
