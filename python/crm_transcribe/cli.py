"""Command line: one file per run, or --worker serving JSON lines on stdin with the model loaded once."""
import argparse
import json
import logging
import os
import sys
import time

from .audio import read_info
from .encoding import UPLOAD_FORMATS, default_ffmpeg
from .engines import BACKENDS, EngineOptions, load_engine
from .errors import TranscribeError
from .pipeline import Request, transcribe_file

log = logging.getLogger("transcribe")


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise TranscribeError("bad_request", message)


def build_parser(env):
    parser = _Parser(description="Transcribe a call recording (16 kHz PCM WAV) with Whisper.")
    parser.add_argument("file", nargs="?", help="WAV file; omitted with --worker")
    parser.add_argument("--worker", action="store_true", help="serve JSON-line requests on stdin")
    parser.add_argument("--backend", default=env.get("TRANSCRIBE_BACKEND", "faster-whisper"), choices=BACKENDS)
    parser.add_argument("--model", default=env.get("WHISPER_MODEL"))
    parser.add_argument("--device", default=env.get("WHISPER_DEVICE", "auto"))
    parser.add_argument("--compute-type", default=env.get("WHISPER_COMPUTE_TYPE", "default"))
    parser.add_argument("--beam-size", type=int, default=int(env.get("WHISPER_BEAM_SIZE", "5")))
    parser.add_argument("--language", default="ru", help="ru, en, ... or auto")
    parser.add_argument("--manager-channel", type=int, choices=(0, 1), default=0)
    parser.add_argument("--hint", action="append", default=[], help="vocabulary hint; repeatable")
    parser.add_argument("--hints-json", help="vocabulary hints as a JSON list of strings")
    parser.add_argument("--base-url", help="OpenAI-compatible base URL (default: OPENAI_BASE_URL)")
    parser.add_argument("--api-timeout", type=float, default=60.0,
                        help="seconds per HTTP request, plus --api-timeout-per-audio-sec for each second of audio")
    parser.add_argument("--api-timeout-per-audio-sec", type=float, default=2.0)
    parser.add_argument("--api-retries", type=int, default=2, help="retries on 429 and 5xx")
    parser.add_argument("--upload-format", choices=tuple(UPLOAD_FORMATS), default="ogg",
                        help="openai-api: how audio is sent (ogg: Opus speech codec, mp3, or wav)")
    parser.add_argument("--max-upload-mb", type=float, default=25.0,
                        help="openai-api: the server's request size limit in MiB; longer audio goes in chunks")
    parser.add_argument("--ffmpeg", default=default_ffmpeg(env), help="ffmpeg that compresses uploads")
    return parser


def engine_options(args, env):
    return EngineOptions(backend=args.backend, model=args.model, device=args.device, compute_type=args.compute_type,
                         beam_size=args.beam_size, base_url=args.base_url, api_timeout_sec=args.api_timeout,
                         api_timeout_per_audio_sec=args.api_timeout_per_audio_sec, api_retries=args.api_retries,
                         upload_format=args.upload_format, max_upload_mb=args.max_upload_mb, ffmpeg=args.ffmpeg,
                         env=env)


def hints_from(args):
    hints = list(args.hint)
    if args.hints_json:
        try:
            extra = json.loads(args.hints_json)
        except ValueError as error:
            raise TranscribeError("bad_request", f"--hints-json is not JSON: {error}") from error
        if not isinstance(extra, list):
            raise TranscribeError("bad_request", "--hints-json must be a JSON list of strings")
        hints += extra
    return hints


def protocol_stream():
    """Engines and their native libraries may print to stdout; only protocol lines may reach it."""
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return stream


def write(stream, payload):
    stream.write(json.dumps(payload, ensure_ascii=False) + "\n")
    stream.flush()


def run_once(args, out):
    if not args.file:
        raise TranscribeError("bad_request", "give a WAV file, or --worker")
    request = Request(args.file, args.manager_channel, args.language, hints_from(args))
    request.validate()
    read_info(request.audio_path)
    engine = load_engine(engine_options(args, os.environ))
    write(out, transcribe_file(engine, request))


def run_worker(args, out):
    engine = load_engine(engine_options(args, os.environ))
    write(out, {"ready": True, "engine": engine.name, "model": engine.model})
    for line in sys.stdin:
        if line.strip():
            write(out, answer(engine, line, args.language, out))
    return 0


def answer(engine, line, default_language, out):
    """The reply to one request line; before each chunk a progress line lets the caller time the chunk alone."""
    try:
        payload = json.loads(line)
    except ValueError as error:
        return {"id": None, **TranscribeError("bad_request", f"request line is not JSON: {error}").to_json()}
    request_id = payload.get("id") if isinstance(payload, dict) else None
    try:
        request = Request.from_json({"language": default_language, **payload} if isinstance(payload, dict) else payload)
        started = time.monotonic()
        result = transcribe_file(engine, request, _progress_writer(out, request_id))
        log.info("request %s: %s in %.2fs", request_id, request.audio_path, time.monotonic() - started)
        return {"id": request_id, "result": result}
    except TranscribeError as error:
        return {"id": request_id, **error.to_json()}
    except Exception as error:
        log.exception("request %s failed", request_id)
        return {"id": request_id, "error": {"code": "engine_failed", "message": f"{type(error).__name__}: {error}"}}


def _progress_writer(out, request_id):
    def progress(audio_sec):
        write(out, {"id": request_id, "progress": {"audioSec": round(audio_sec, 3)}})
    return progress


def main(argv=None):
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    out = protocol_stream()
    try:
        args = build_parser(os.environ).parse_args(argv)
        if args.worker:
            return run_worker(args, out)
        run_once(args, out)
        return 0
    except TranscribeError as error:
        write(out, error.to_json())
        return 1
