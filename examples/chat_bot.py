"""The chat-bot pattern: command -> job -> stream URL at FIRST_SUCCESS -> file at SUCCESS.

No chat library here: :class:`Chat` stands in for discord.py / aiogram (``send`` would be
``channel.send`` / ``bot.send_message``). Results arrive by callback through a
:class:`~suno_async.webhooks.WebhookReceiver` (a bot with a public URL); polling stays on
as a slow safety net. Every command runs in its own task, so the bot never blocks and
one user's long song never delays another's reply.

Run it (an in-process sandbox stands in for the API; nothing leaves this machine)::

    python examples/chat_bot.py
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from suno_async import PollPolicy, Stage, SunoClient
from suno_async.errors import (
    InsufficientCreditsError,
    JobFailedError,
    JobTimeoutError,
    RequestValidationError,
)
from suno_async.sandbox import Sandbox
from suno_async.webhooks import WebhookReceiver


class Chat:
    """A pretend chat service: prints messages and keeps them for inspection."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    async def send(self, channel: str, text: str) -> None:
        self.messages.append((channel, text))
        print(f"[{channel}] bot: {text}")


class MusicBot:
    """Answers ``/song <idea>`` with a stream link first and the file when it is final."""

    def __init__(self, client: SunoClient, chat: Chat, out_dir: Path, *, wait: float) -> None:
        self.client = client
        self.chat = chat
        self.out_dir = out_dir
        self.wait = wait  # seconds a user may wait for each stage
        self.tasks: set[asyncio.Task[None]] = set()

    def on_message(self, channel: str, text: str) -> None:
        """Called by the chat library for every message; never blocks."""
        print(f"[{channel}] user: {text[:70]}{'...' if len(text) > 70 else ''}")
        if text.startswith("/song "):
            task = asyncio.create_task(self.make_song(channel, text.removeprefix("/song ")))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def make_song(self, channel: str, idea: str) -> None:
        try:
            job = await self.client.generate(prompt=idea)
        except RequestValidationError as exc:
            problems = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
            await self.chat.send(channel, f"I can't make that: {problems}")
            return
        except InsufficientCreditsError:
            await self.chat.send(channel, "Out of credits for today, sorry!")
            return
        await self.chat.send(channel, "On it! First notes in about half a minute...")
        try:
            first = await job.wait(Stage.FIRST_SUCCESS, timeout=self.wait)
            await self.chat.send(channel, f"Listen now: {first.tracks[0].stream_audio_url}")
            record = await job.wait(Stage.SUCCESS, timeout=self.wait)
            path = await self.client.download(record.tracks[0], f"{self.out_dir}/")
            await self.chat.send(channel, f"Here it is: {record.tracks[0].title} -> {path}")
        except JobFailedError as exc:
            await self.chat.send(channel, f"That one failed ({exc.status}); try another idea.")
        except JobTimeoutError:
            await self.chat.send(channel, f"Still cooking; ask me later about {job.task_id}.")

    async def drain(self) -> None:
        """Wait for every conversation in progress (on shutdown)."""
        await asyncio.gather(*self.tasks)


async def demo(
    out_dir: Path,
    *,
    time_scale: float = 0.05,
    commands: Sequence[tuple[str, str]] | None = None,
) -> tuple[Chat, WebhookReceiver, SunoClient]:
    """A few users talk to the bot; returns the chat log, the receiver and the client."""
    commands = commands or [
        ("#music", "/song a lullaby for a sleepy cat"),
        ("#party", "/song hard techno warehouse rave"),
        ("#music", "/song " + "very long idea " * 40),  # over 500 characters: refused
        ("#oops", "/song this one breaks [[fail]]"),  # a sandbox marker: generation fails
    ]
    chat = Chat()
    receiver = WebhookReceiver()
    async with (
        Sandbox(time_scale=time_scale, seed=3) as sb,
        receiver.serve(host="127.0.0.1", port=0),
        SunoClient(
            api_key=sb.api_key,
            base_url=sb.url,
            poll=PollPolicy(webhook_interval=30),  # callbacks do the work; polls are a net
        ) as client,
    ):
        receiver.attach(client)
        bot = MusicBot(client, chat, out_dir, wait=60)
        for channel, text in commands:
            bot.on_message(channel, text)
        await bot.drain()
    return chat, receiver, client


async def main() -> int:
    await demo(Path("suno-output"))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
