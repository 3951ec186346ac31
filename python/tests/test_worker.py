import json
import subprocess
import sys

from tests.support import SCRIPT, TempDirTestCase, engine_env
from tests.wavgen import write_wav


class WorkerProtocolTest(TempDirTestCase):
    def start_worker(self, env, *args):
        worker = subprocess.Popen([sys.executable, SCRIPT, "--worker", *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.addCleanup(self.stop, worker)
        return worker

    def stop(self, worker):
        worker.kill()
        worker.wait()
        for stream in (worker.stdin, worker.stdout, worker.stderr):
            stream.close()

    def ask(self, worker, request, progress=None):
        """The reply to one request; the progress lines before it go to `progress` when given."""
        worker.stdin.write((request if isinstance(request, str) else json.dumps(request)) + "\n")
        worker.stdin.flush()
        while True:
            line = json.loads(worker.stdout.readline())
            if "progress" not in line:
                return line
            if progress is not None:
                progress.append(line)

    def test_serves_many_requests_with_one_model_load(self):
        worker = self.start_worker(engine_env(STANDIN_LOG=self.path("standin.log")), "--model", "base")
        stereo = write_wav(self.path("stereo.wav"), 2.0, [[(0.1, 0.9, 440)], [(1.0, 1.8, 550)]])
        mono = write_wav(self.path("mono.wav"), 1.0, [[(0.1, 0.9, 660)]])

        self.assertEqual(json.loads(worker.stdout.readline()), {"ready": True, "engine": "faster-whisper", "model": "base"})
        progress = []
        first = self.ask(worker, {"id": "a", "audioPath": stereo, "channels": 2, "managerChannel": 1,
                                  "language": "ru", "vocabularyHints": ["Ромашка"]}, progress)
        second = self.ask(worker, {"id": 7, "audioPath": mono, "channels": 1, "managerChannel": 0,
                                   "language": "auto", "vocabularyHints": []})
        missing = self.ask(worker, {"id": "c", "audioPath": self.path("absent.wav")})
        garbage = self.ask(worker, "{oops")
        invalid = self.ask(worker, {"id": "d", "audioPath": mono, "managerChannel": 5})
        last = self.ask(worker, {"id": "e", "audioPath": mono})
        worker.stdin.close()

        self.assertEqual(first["id"], "a")
        self.assertEqual([(line["id"], line["progress"]["audioSec"]) for line in progress], [("a", 1.1), ("a", 1.2)])
        self.assertEqual([(s["speaker"], s["start"]) for s in first["result"]["segments"]], [("client", 0.1), ("manager", 1.0)])
        self.assertEqual((second["id"], second["result"]["segments"][0]["text"]), (7, "Да, конечно, оформим заказ."))
        self.assertEqual(missing, {"id": "c", "error": {"code": "file_not_found", "message": missing["error"]["message"]}})
        self.assertEqual((garbage["id"], garbage["error"]["code"]), (None, "bad_request"))
        self.assertEqual((invalid["id"], invalid["error"]["code"]), ("d", "bad_request"))
        self.assertEqual(last["result"]["language"], "ru")
        self.assertEqual(worker.wait(timeout=10), 0)
        self.assertEqual([entry["event"] for entry in self.read_log()].count("load"), 1)

    def test_missing_engine_is_reported_instead_of_ready(self):
        worker = self.start_worker(engine_env(with_standin=False))
        line = json.loads(worker.stdout.readline())
        self.assertEqual(line["error"]["code"], "engine_missing")
        self.assertNotEqual(worker.wait(timeout=10), 0)

    def test_only_protocol_lines_reach_stdout(self):
        worker = self.start_worker(engine_env(STANDIN_LOG=self.path("standin.log")))
        worker.stdout.readline()
        self.ask(worker, {"id": 1, "audioPath": write_wav(self.path("m.wav"), 1.0, [[(0.1, 0.5, 440)]])})
        worker.stdin.close()
        self.assertEqual(worker.stdout.read(), "")
        self.assertIn("request 1", worker.stderr.read())

    def test_each_chunk_is_announced_with_its_seconds_of_audio(self):
        worker = self.start_worker(engine_env(STANDIN_LOG=self.path("standin.log")))
        worker.stdout.readline()
        mono = write_wav(self.path("m.wav"), 4.0, [[(0.4, 1.0, 440), (2.6, 3.2, 550)]])
        progress = []
        reply = self.ask(worker, {"id": 9, "audioPath": mono}, progress)
        self.assertEqual(reply["result"]["requests"], 1)
        self.assertEqual(progress, [{"id": 9, "progress": {"audioSec": 2.5}}])
