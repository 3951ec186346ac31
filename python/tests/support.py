import json
import os
import subprocess
import sys
import tempfile
import unittest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
STANDIN_DIR = os.path.join(TESTS_DIR, "standin")
SCRIPT = os.path.join(os.path.dirname(TESTS_DIR), "transcribe.py")


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
