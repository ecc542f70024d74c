"""A stand-in for the browser's speech synthesis, for the listen button's tests (issue 15).

It lists the voices a test gives, records what the page asks it to say (window.__tcSpoken), and ends
an utterance only when the test says so (window.__tcFinish()). It tests tiepcan's code, not a real
voice: Debian's headless Chromium has none, which the tests use as the real no-voice case.
"""

from __future__ import annotations

import json

FAKE_SPEECH = """(voices) => {
  window.__tcSpoken = [];
  let current = null;
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; this.lang = ''; this.rate = 1; } };
  const synth = {
    getVoices: () => voices,
    speak(u) { current = u; window.__tcSpoken.push({text: u.text, lang: u.lang, rate: u.rate, voice: u.voice && u.voice.lang}); },
    cancel() { const u = current; current = null; if (u && u.onend) setTimeout(() => u.onend({}), 0); },
    pause() {}, resume() {}, addEventListener() {},
  };
  window.__tcFinish = () => { const u = current; current = null; if (u && u.onend) u.onend({}); };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
}"""
VIETNAMESE = [{"lang": "vi-VN", "name": "Giọng thử", "voiceURI": "thu", "localService": True, "default": False}]
ENGLISH_ONLY = [{"lang": "en-US", "name": "Test", "voiceURI": "test", "localService": True, "default": True}]


def fake_speech(voices: list[dict]) -> str:
    """An init script installing the stand-in with these voices."""
    return f"({FAKE_SPEECH})({json.dumps(voices)})"
