"""POST /v1/audio/transcriptions on any OpenAI-compatible server, with urllib only."""
import json
import logging
import os
import socket
import time
import urllib.error
import urllib.request
import uuid

from .errors import TranscribeError

log = logging.getLogger("transcribe")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MAX_RETRY_WAIT_SEC = 30.0
LANGUAGE_CODES = {"russian": "ru", "english": "en", "ukrainian": "uk", "kazakh": "kk", "belarusian": "be",
                  "uzbek": "uz", "german": "de", "french": "fr", "spanish": "es", "turkish": "tr"}


def language_code(language):
    if not language:
        return None
    return LANGUAGE_CODES.get(language.lower(), language)


class TranscriptionClient:
    def __init__(self, base_url, api_key, timeout_sec, timeout_per_audio_sec, retries):
        self.url = base_url.rstrip("/") + "/audio/transcriptions"
        self._api_key = api_key
        self._timeout_sec = timeout_sec
        self._timeout_per_audio_sec = timeout_per_audio_sec
        self._retries = retries

    @classmethod
    def from_options(cls, options):
        env = options.env
        base_url = options.base_url or env.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        api_key = options.api_key or env.get("TRANSCRIBE_API_KEY") or env.get("OPENAI_API_KEY")
        if not api_key and base_url.rstrip("/") == DEFAULT_BASE_URL:
            raise TranscribeError("not_configured", "openai-api needs TRANSCRIBE_API_KEY or OPENAI_API_KEY")
        return cls(base_url, api_key, options.api_timeout_sec, options.api_timeout_per_audio_sec, options.api_retries)

    def transcribe(self, path, file_type, model, language, prompt, audio_sec=None):
        """`audio_sec`: how long the audio plays; a longer file is given longer to be recognised."""
        fields = {"model": model, "response_format": "verbose_json", "timestamp_granularities[]": "segment"}
        if language:
            fields["language"] = language
        if prompt:
            fields["prompt"] = prompt
        with open(path, "rb") as audio:
            body, content_type = encode_multipart(fields, "file", os.path.basename(path), file_type, audio.read())
        timeout = self._timeout_sec + self._timeout_per_audio_sec * (audio_sec or 0.0)
        return self._post_with_retries(body, content_type, timeout)

    def _post_with_retries(self, body, content_type, timeout):
        for attempt in range(self._retries + 1):
            try:
                return self._post(body, content_type, timeout)
            except TranscribeError as error:
                if error.code not in ("rate_limited", "unavailable") or attempt == self._retries:
                    raise
                wait = min(error.retry_after_sec if error.retry_after_sec is not None else 0.5 * 2 ** attempt,
                           MAX_RETRY_WAIT_SEC)
                log.warning("transcription server answered %s; retrying in %.1fs", error.code, wait)
                time.sleep(wait)

    def _post(self, body, content_type, timeout):
        request = urllib.request.Request(self.url, data=body, method="POST", headers=self._headers(content_type))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _http_failure(error) from error
        except (socket.timeout, TimeoutError) as error:
            raise _timed_out(timeout) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                raise _timed_out(timeout) from error
            raise TranscribeError("unavailable", f"transcription server unreachable: {error.reason}") from error
        return _parse_payload(raw)

    def _headers(self, content_type):
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers


def _timed_out(timeout):
    return TranscribeError("timeout", f"transcription server did not answer within {timeout:.1f}s")


def encode_multipart(fields, file_field, filename, file_type, content):
    boundary = f"----crm-transcribe-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: {file_type}\r\n\r\n".encode())
    parts.append(content)
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _http_failure(error):
    detail = _error_message(error)
    status = error.code
    if status in (401, 403):
        return TranscribeError("auth", f"transcription server refused the credentials ({status}): {detail}")
    if status == 413:
        return TranscribeError("too_large", f"transcription server refused the file as too large: {detail}")
    if status == 429:
        return TranscribeError("rate_limited", f"transcription server rate-limited the request: {detail}",
                               _retry_after(error.headers.get("Retry-After")))
    if status >= 500:
        return TranscribeError("unavailable", f"transcription server failed ({status}): {detail}")
    return TranscribeError("bad_request", f"transcription server rejected the request ({status}): {detail}")


def _error_message(error):
    try:
        payload = json.loads(error.read())
        return str(payload["error"]["message"])[:300]
    except Exception:
        return error.reason or "no detail"


def _retry_after(value):
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


def _parse_payload(raw):
    try:
        payload = json.loads(raw)
    except ValueError as error:
        raise TranscribeError("bad_response", f"transcription server answered with malformed JSON: {raw[:120]!r}") from error
    if not isinstance(payload, dict) or not isinstance(payload.get("segments", []), list):
        raise TranscribeError("bad_response", "transcription server answer has no segments list")
    return payload
