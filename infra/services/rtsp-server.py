#!/usr/bin/python3
"""Loopback RTSP server for tests and benches: GStreamer's gst-rtsp-server (Debian packages
gir1.2-gst-rtsp-server-1.0, python3-gi, gstreamer1.0-plugins-good).

Usage: rtsp-server.py PORT PATH[@START]=FILE.h264 [PATH[@START]=FILE.h264 ...]
Each FILE is an H.264 Annex-B elementary stream whose access units each begin with an access unit
delimiter (x264 `aud=1`), as infra/services/video.ts makes them. Its access units are loaded once
and replayed forever at FPS (env RTSP_FPS, default 25) through appsrc -> rtph264pay, with
timestamps that keep increasing across loops, so clients see one endless live-like stream.
Every client gets its own media (not shared), starting at the clip's access unit START (default 0,
the first frame; it should be a key frame), so that cameras showing one clip need not show it in step.
Prints "READY <port>" on stdout once it listens (PORT 0 picks a free one), then "PLAY <path>
<epoch ms>" each time a client's stream starts playing: its first frame's wall-clock time, from
which a test knows when each moment of the clip was on the wire. Clients use RTP over TCP
(interleaved) or UDP, as they ask.
"""
import os
import sys
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

AUD = b"\x00\x00\x00\x01\x09"


def load_access_units(path):
    with open(path, "rb") as f:
        data = f.read()
    starts = []
    i = data.find(AUD)
    while i >= 0:
        starts.append(i)
        i = data.find(AUD, i + len(AUD))
    if not starts:
        raise SystemExit(f"{path}: no access unit delimiters (encode with x264 aud=1)")
    starts.append(len(data))
    return [data[starts[k]:starts[k + 1]] for k in range(len(starts) - 1)]


class LoopFactory(GstRtspServer.RTSPMediaFactory):
    def __init__(self, path, units, fps, start):
        super().__init__()
        self.path = path
        self.units = units
        self.start = start
        self.duration = Gst.SECOND // fps
        self.set_shared(False)
        self.set_launch(
            "( appsrc name=src is-live=false format=time "
            "caps=video/x-h264,stream-format=byte-stream,alignment=au "
            "! rtph264pay name=pay0 pt=96 config-interval=-1 )"
        )
        self.connect("media-configure", self.on_configure)

    def on_configure(self, _factory, media):
        src = media.get_element().get_child_by_name("src")
        state = {"n": 0}

        def need_data(appsrc, _length):
            unit = self.units[(self.start + state["n"]) % len(self.units)]
            buf = Gst.Buffer.new_wrapped(unit)
            buf.pts = buf.dts = state["n"] * self.duration
            buf.duration = self.duration
            state["n"] += 1
            appsrc.emit("push-buffer", buf)

        src.connect("need-data", need_data)

        def new_state(_media, st):
            if st == Gst.State.PLAYING:
                print(f"PLAY {self.path} {int(time.time() * 1000)}", flush=True)

        media.connect("new-state", new_state)


def main():
    Gst.init(None)
    port = sys.argv[1]
    fps = int(os.environ.get("RTSP_FPS", "25"))
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    mounts = server.get_mount_points()
    for arg in sys.argv[2:]:
        path, _, file = arg.partition("=")
        path, _, start = path.partition("@")
        mounts.add_factory("/" + path.strip("/"), LoopFactory(path.strip("/"), load_access_units(file), fps, int(start or 0)))
    if server.attach(None) == 0:
        raise SystemExit(f"cannot listen on 127.0.0.1:{port}")
    print(f"READY {server.get_bound_port()}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
