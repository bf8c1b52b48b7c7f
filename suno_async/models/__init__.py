"""Typed models: enums, requests, task records and callback payloads."""

from __future__ import annotations

from .enums import Model, SeparationType, SoundKey, Stage, VocalGender
from .records import (
    CoverArtRecord,
    LyricsRecord,
    MidiRecord,
    Mp4Record,
    MusicRecord,
    Record,
    Track,
    VocalRemovalRecord,
    WavRecord,
)
from .requests import AddInstrumentalRequest, GenerateRequest, Request, UploadCoverRequest

__all__ = [
    "AddInstrumentalRequest",
    "CoverArtRecord",
    "GenerateRequest",
    "LyricsRecord",
    "MidiRecord",
    "Model",
    "Mp4Record",
    "MusicRecord",
    "Record",
    "Request",
    "SeparationType",
    "SoundKey",
    "Stage",
    "Track",
    "UploadCoverRequest",
    "VocalGender",
    "VocalRemovalRecord",
    "WavRecord",
]
