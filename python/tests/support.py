import importlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

from crm_transcribe.encoding import default_ffmpeg

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
STANDIN_DIR = os.path.join(TESTS_DIR, "standin")
SCRIPT = os.path.join(os.path.dirname(TESTS_DIR), "transcribe.py")
FFMPEG = default_ffmpeg(os.environ)


def engine_env(with_standin=True, **extra):
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "TRANSCRIBE_BACKEND")}
    if with_standin:
        env["PYTHONPATH"] = STANDIN_DIR
    env.update(extra)
    return env


def run_cli(args, env):
    completed = subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, env=env, timeout=60)
    return completed.returncode, json.loads(completed.stdout), completed.stderr


class TempDirTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.addCleanup(self._tmp.cleanup)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def read_log(self, name="standin.log"):
        with open(self.path(name), encoding="utf-8") as log:
            return [json.loads(line) for line in log]


class StandinTestCase(TempDirTestCase):
    """The faster-whisper stand-in importable as `faster_whisper`, logging to standin.log in the temporary directory."""

    def setUp(self):
        super().setUp()
        sys.path.insert(0, STANDIN_DIR)
        os.environ["STANDIN_LOG"] = self.path("standin.log")
        self.addCleanup(self._forget_standin)

    def _forget_standin(self):
        sys.path.remove(STANDIN_DIR)
        os.environ.pop("STANDIN_LOG", None)
        sys.modules.pop("faster_whisper", None)
        importlib.invalidate_caches()
