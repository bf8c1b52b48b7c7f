"""Timelines: stage order, per-stage track readiness, time_scale, overrides, determinism."""

from __future__ import annotations

import asyncio

from suno_async.sandbox import Sandbox

from .support import Http, create, finish, gen_body, generate, get


async def record(http: Http, sb: Sandbox, task_id: str) -> dict:  # type: ignore[type-arg]
    _, reply = await get(http, sb, "/api/v1/generate/record-info", taskId=task_id)
    return reply["data"]  # type: ignore[no-any-return]


async def test_music_stages_in_order_with_partial_tracks(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb)
    seen: list[str] = []
    snapshots: dict[str, dict] = {}  # type: ignore[type-arg]
    for _ in range(400):
        data = await record(http, sb, task_id)
        if not seen or seen[-1] != data["status"]:
            seen.append(data["status"])
            snapshots[data["status"]] = data
        if data["status"] == "SUCCESS":
            break
        await asyncio.sleep(0.003)
    assert seen == ["PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS", "SUCCESS"]
    assert snapshots["PENDING"]["response"] is None
    # REFERENCE §7.4: stream + image URLs at TEXT_SUCCESS; track 1 complete at FIRST_SUCCESS
    text_tracks = snapshots["TEXT_SUCCESS"]["response"]["sunoData"]
    assert all(t["audioUrl"] == "" and t["streamAudioUrl"] and t["imageUrl"] for t in text_tracks)
    assert all(t["duration"] is None for t in text_tracks)
    first, second = snapshots["FIRST_SUCCESS"]["response"]["sunoData"]
    assert first["audioUrl"]
    assert first["streamAudioUrl"]
    assert first["imageUrl"]
    assert first["duration"] > 0
    assert second["streamAudioUrl"]
    assert second["imageUrl"]
    assert second["audioUrl"] == ""
    assert second["duration"] is None
    done = snapshots["SUCCESS"]["response"]["sunoData"]
    assert all(t["audioUrl"] and t["duration"] > 0 for t in done)


async def test_default_timeline_is_realistic_before_scaling(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb)
    steps = sb.task(task_id).steps
    scale = sb.state.time_scale
    offsets = {s.phase.name: s.offset / scale for s in steps}
    assert 8 <= offsets["TEXT"] <= 15
    assert 30 <= offsets["FIRST"] <= 40
    assert 120 <= offsets["SUCCESS"] <= 180


async def test_time_scale_and_timeline_override() -> None:
    timeline = {"text": 10, "first": 20, "complete": 40}
    async with Sandbox(time_scale=0.01, seed=3, timeline=timeline, poll_limit=None) as sb:
        headers = {"Authorization": f"Bearer {sb.api_key}"}
        async with Http(headers=headers) as http:
            task_id = await generate(http, sb)
            steps = [(s.phase.name, round(s.offset, 6)) for s in sb.task(task_id).steps]
            assert steps == [("PENDING", 0), ("TEXT", 0.1), ("FIRST", 0.2), ("SUCCESS", 0.4)]
            await asyncio.sleep(0.15)
            assert (await record(http, sb, task_id))["status"] == "TEXT_SUCCESS"
            await asyncio.sleep(0.1)
            assert (await record(http, sb, task_id))["status"] == "FIRST_SUCCESS"
            await asyncio.sleep(0.2)
            assert (await record(http, sb, task_id))["status"] == "SUCCESS"


async def test_same_seed_same_ids_and_timelines() -> None:
    results = []
    for _ in range(2):
        async with Sandbox(time_scale=0.01, seed=42, api_key="k" * 32) as sb:
            headers = {"Authorization": f"Bearer {sb.api_key}"}
            async with Http(headers=headers) as http:
                task_id = await generate(http, sb)
                task = sb.task(task_id)
                results.append((task_id, [t.id for t in task.tracks], task.steps))
    assert results[0] == results[1]
    async with Sandbox(time_scale=0.01, seed=43) as other:
        headers = {"Authorization": f"Bearer {other.api_key}"}
        async with Http(headers=headers) as http:
            assert await generate(http, other) != results[0][0]


async def test_other_families_single_step_lengths(sb: Sandbox, http: Http) -> None:
    task_id = await generate(http, sb)
    await finish(sb, task_id)
    audio = sb.task(task_id).tracks[0].id
    ref = {"taskId": task_id, "audioId": audio, "callBackUrl": "http://example.com/cb"}
    expected = {
        "/api/v1/wav/generate": (20, 40),
        "/api/v1/vocal-removal/generate": (40, 90),
        "/api/v1/mp4/generate": (60, 120),
        "/api/v1/suno/cover/generate": (20, 40),
    }
    for path, (low, high) in expected.items():
        tid = await create(http, sb, path, ref)
        end = sb.task(tid).end_offset / sb.state.time_scale
        assert low <= end <= high, path
    lyrics = await create(
        http, sb, "/api/v1/lyrics", {"prompt": "night city", "callBackUrl": "http://x.io/cb"}
    )
    assert 10 <= sb.task(lyrics).end_offset / sb.state.time_scale <= 20


async def test_generate_body_with_custom_mode_uses_given_fields(sb: Sandbox, http: Http) -> None:
    body = gen_body(
        customMode=True, style="Jazz", title="Blue Night", prompt="[Verse] la la", model="V4_5PLUS"
    )
    task_id = await create(http, sb, "/api/v1/generate", body)
    await finish(sb, task_id)
    data = await record(http, sb, task_id)
    assert data["type"] == "chirp-bluejay"
    for track in data["response"]["sunoData"]:
        assert (track["title"], track["tags"], track["prompt"]) == (
            "Blue Night",
            "Jazz",
            "[Verse] la la",
        )
        assert track["modelName"] == "chirp-bluejay"
    instrumental = await create(
        http,
        sb,
        "/api/v1/generate",
        gen_body(customMode=True, instrumental=True, style="a", title="b", prompt=None),
    )
    await finish(sb, instrumental)
    data = await record(http, sb, instrumental)
    assert all(t["prompt"] == "" for t in data["response"]["sunoData"])


async def test_model_code_names(sb: Sandbox, http: Http) -> None:
    names = {
        "V3_5": "chirp-v3-5",
        "V4": "chirp-v4",
        "V4_5": "chirp-auk",
        "V4_5PLUS": "chirp-bluejay",
        "V4_5ALL": "chirp-auk-turbo",
        "V5": "chirp-crow",
        "V5_5": "chirp-fenix",
    }
    for model, codename in names.items():
        task_id = await generate(http, sb, model=model)
        assert (await record(http, sb, task_id))["type"] == codename
