"""The whole family end to end against the sandbox:

generate -> extend -> separate_vocals -> generate_midi -> convert_to_wav ->
create_music_video -> download of each file (and the cover art on the way).

Each step feeds on the previous step's typed result; every downloaded file is checked
for what it claims to be (RIFF/WAVE header, PNG signature and chunks, MP4 ``ftyp`` box).
"""

from __future__ import annotations

import struct
import wave
import zlib
from pathlib import Path

from suno_async import SunoClient, Track
from suno_async.sandbox import Sandbox

TIMEOUT = 15.0


def check_wav(path: Path) -> None:
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", path
    with wave.open(str(path), "rb") as w:
        assert w.getnframes() > 0
        assert w.getframerate() > 0


def check_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds


def check_mp4(path: Path) -> None:
    data = path.read_bytes()
    (size,) = struct.unpack(">I", data[:4])
    assert data[4:8] == b"ftyp", path
    assert 8 < size <= len(data)


async def test_full_chain(client: SunoClient, sandbox: Sandbox, tmp_path: Path) -> None:
    # 1. generate
    song = await (await client.generate(prompt="a song about the harbour at dawn")).wait(
        timeout=TIMEOUT
    )
    assert len(song.tracks) == 2 and song.complete

    # 2. extend the first track (inherits its parameters and model)
    extended = await (await client.extend(audio_id=song.tracks[0].id)).wait(timeout=TIMEOUT)
    assert extended.parent_music_id == song.tracks[0].id
    track: Track = extended.tracks[0]
    assert track.ready

    # 3. separate vocals of the extended track
    stems = await (
        await client.separate_vocals(task_id=extended.task_id, audio_id=track.id)
    ).wait(timeout=TIMEOUT)
    assert {"vocal", "instrumental"} <= set(stems.stems)

    # 4. MIDI from the finished separation (its vocal stem)
    vocal_stem = next(s for s in stems.origin_data if s.stem_type_group_name == "Vocals")
    midi = await (
        await client.generate_midi(task_id=stems.task_id, audio_id=vocal_stem.id)
    ).wait(timeout=TIMEOUT)
    assert midi.complete
    assert any(instrument.notes for instrument in midi.instruments)

    # 5. WAV of the extended track
    wav = await (await client.convert_to_wav(task_id=extended.task_id, audio_id=track.id)).wait(
        timeout=TIMEOUT
    )
    assert wav.wav_url

    # 6. music video of the extended track
    video = await (
        await client.create_music_video(task_id=extended.task_id, audio_id=track.id,
                                        author="suno-async", domain_name="example.com")
    ).wait(timeout=TIMEOUT)
    assert video.video_url

    # cover art of the original song, on the way
    art = await (await client.generate_cover_art(task_id=song.task_id)).wait(timeout=TIMEOUT)
    assert art.images

    # 7. download every file
    out = tmp_path / "out"
    saved = {
        "track": await client.download(track, f"{out}/"),
        "track_image": await client.download(track.image_url, out),
        "vocal": await client.download(stems.stems["vocal"], out),
        "instrumental": await client.download(stems.stems["instrumental"], out),
        "wav": await client.download(wav.wav_url, out / "song.wav"),
        "video": await client.download(video.video_url, out),
        "cover": await client.download(art.images[0], out),
    }
    for name in ("track", "vocal", "instrumental", "wav"):
        check_wav(saved[name])
    check_png(saved["track_image"])
    check_png(saved["cover"])
    check_mp4(saved["video"])
    assert saved["video"].suffix == ".mp4"
    assert saved["wav"] == out / "song.wav"
    assert saved["track"].name.startswith(safe_title(track.title))
    assert len({p.name for p in saved.values()}) == len(saved)
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]

    # each paid step was submitted exactly once
    for path in ("/api/v1/generate", "/api/v1/generate/extend",
                 "/api/v1/vocal-removal/generate", "/api/v1/midi/generate",
                 "/api/v1/wav/generate", "/api/v1/mp4/generate",
                 "/api/v1/suno/cover/generate"):
        assert sandbox.stats.submissions[path] == 1, path


def safe_title(title: str) -> str:
    from suno_async.download import safe_filename

    return safe_filename(title)
