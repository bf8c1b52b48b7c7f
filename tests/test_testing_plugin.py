"""The pytest plugin ``suno_async.testing`` (issue 15 "Testing your app"), run as a user would:
a small test file in a fresh pytest session (``pytester``) with ``-p suno_async.testing``."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def plugin_args() -> list[str]:
    """``-p suno_async.testing`` unless the installed package already loads the plugin through
    its entry point (passing ``-p`` then would register it twice, which pytest refuses)."""
    from importlib.metadata import entry_points

    installed = any(ep.value == "suno_async.testing" for ep in entry_points(group="pytest11"))
    return [] if installed else ["-p", "suno_async.testing"]

USER_TESTS = '''
import pytest
from suno_async import Stage

async def test_defaults(suno_client, suno_sandbox):
    assert suno_sandbox.state.time_scale == 0.001
    assert suno_sandbox.state.seed == 1
    job = await suno_client.generate(prompt="lofi piano")
    record = await job.wait(Stage.FIRST_SUCCESS, timeout=10)
    assert record.status in ("FIRST_SUCCESS", "SUCCESS")
    (post,) = [r for r in suno_sandbox.requests if r.path == "/api/v1/generate"]
    assert post.json["prompt"] == "lofi piano"
    assert post.headers["Authorization"] == "<redacted>"
    await job.wait(timeout=10)

@pytest.mark.suno_sandbox(time_scale=1.0, seed=7, credits=50)
async def test_marker_and_advance(suno_client, suno_sandbox):
    assert suno_sandbox.state.seed == 7
    assert suno_sandbox.credits() == 50
    job = await suno_client.generate(prompt="ambient")
    assert suno_sandbox.advance(job.task_id, Stage.SUCCESS)  # the realistic timeline is skipped
    record = await job.wait(timeout=10)
    assert len(record.tracks) == 2

@pytest.mark.suno_client(poll=None)
async def test_client_marker(suno_client):
    assert suno_client.poll_policy.initial > 1  # the SDK default, not the fast test one

@pytest.mark.suno_sandbox(provider="sunoapi")
async def test_provider(suno_client, suno_sandbox):
    assert suno_sandbox.provider == "sunoapi"
    assert suno_client.provider.name == "sunoapi"

@pytest.mark.suno_sandbox(0.5)
async def test_positional(suno_sandbox):
    pass
'''


def test_plugin_fixtures_with_asyncio_mode_auto(pytester: pytest.Pytester) -> None:
    # --strict-markers: the plugin registers its markers; ResourceWarning: it closes everything
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = "
                     "function\naddopts = --strict-markers\n"
                     "filterwarnings =\n    error::ResourceWarning\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest(*plugin_args(), "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of test_positional*", "*takes keyword arguments only*"]
    )


def test_plugin_in_strict_mode_with_the_marker(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = "
                     "function\n")
    pytester.makepyfile(test_strict='''
import pytest

@pytest.mark.asyncio
async def test_strict(suno_client, suno_sandbox):
    job = await suno_client.generate(prompt="x [[fail]]")
    with pytest.raises(Exception) as failed:
        await job.wait(timeout=10)
    assert "GENERATE_AUDIO_FAILED" in str(failed.value)
''')
    result = pytester.runpytest(*plugin_args(), "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_entry_point_is_declared() -> None:
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"]["pytest11"] == {"suno_async": "suno_async.testing"}


def test_without_pytest_asyncio_the_fixtures_fail_clearly() -> None:
    from suno_async import testing

    stand_in = testing.unavailable_fixture("suno_sandbox")
    assert stand_in.__name__ == "suno_sandbox"
    with pytest.raises(pytest.fail.Exception, match="need pytest-asyncio: pip install"):
        stand_in()
