// Webcams: my own camera (getUserMedia) and browser-to-browser WebRTC feeds. The server only
// relays signaling (open/ring, sdp, candidate, watch/unwatch); media flows peer to peer.
//
// Roles: the viewer asks the server to `open` a broadcaster's camera; when the server answers
// `open`, the viewer makes a receive-only offer. The broadcaster answers it with its camera
// tracks. Two people can watch each other at the same time, so each pair may have two peer
// connections: `watching` (I view them) and `viewers` (they view me). Offers always travel
// viewer -> broadcaster and answers the other way; ICE candidates carry an extra `rtchatRole`
// key inside their (opaque, relayed byte-for-byte) JSON so each one reaches the right connection.

const ROLE_FROM_VIEWER = 'viewer';
const ROLE_FROM_BROADCASTER = 'broadcaster';
const MAX_PENDING_CANDIDATES = 200;
const OPEN_TIMEOUT_MS = 20000;

export const VIDEO_ACTIVE = 1;
export const VIDEO_NSFW = 2;
export const VIDEO_MUTED = 4;

export class VideoManager {
  /**
   * @param {object} o
   * @param {(msg: object) => void} o.send sends one frame on /ws
   * @param {() => RTCIceServer[]} o.iceServers
   * @param {object} o.ui callbacks: feedOpened(name, stream), feedState(name, text),
   *   feedClosed(name), localChanged(stream|null), viewersChanged(names[]), notice(text)
   */
  constructor({ send, iceServers, ui }) {
    this.send = send;
    this.iceServers = iceServers;
    this.ui = ui;
    this.localStream = null;
    this.watching = new Map(); // broadcaster name -> {pc, pending[], watched}
    this.viewers = new Map(); // viewer name -> {pc, pending[]}
    this.early = new Map(); // viewer name -> candidates that overtook the offer
  }

  get broadcasting() {
    return this.localStream != null;
  }

  async startCamera() {
    if (this.localStream) return this.localStream;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error('This browser cannot use a camera here (a secure https page is needed).');
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: true });
    } catch (first) {
      // No microphone (or it was refused): a camera alone is still worth sharing.
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false }).catch(() => { throw first; });
    }
    this.localStream = stream;
    this.ui.localChanged(stream);
    return stream;
  }

  stopCamera() {
    this.early.clear();
    for (const name of [...this.viewers.keys()]) this.closeViewer(name);
    if (this.localStream) {
      for (const t of this.localStream.getTracks()) t.stop();
      this.localStream = null;
    }
    this.ui.localChanged(null);
  }

  setMicMuted(muted) {
    if (!this.localStream) return;
    for (const t of this.localStream.getAudioTracks()) t.enabled = !muted;
  }

  // ---- viewer side -------------------------------------------------------------------------

  /** Asks the server to open `name`'s camera; the WebRTC offer follows the server's `open`. */
  requestFeed(name) {
    if (this.watching.has(name)) return;
    const entry = { pc: null, pending: [], watched: false };
    this.watching.set(name, entry);
    this.ui.feedState(name, 'Connecting…');
    this.send({ action: 'open', username: name });
    // No `open` back (refused, or the broadcaster left) or no media from the broadcaster:
    // don't leave a tile waiting forever.
    setTimeout(() => {
      if (this.watching.get(name) === entry && !entry.gotTrack) this.closeFeed(name, { notify: entry.pc != null });
    }, OPEN_TIMEOUT_MS);
  }

  /** The server refused an `open`: drop the tiles still waiting for one. */
  openRefused() {
    for (const [name, entry] of [...this.watching]) {
      if (!entry.pc) this.closeFeed(name, { notify: false });
    }
  }

  /** Server said `open`: we may now offer. */
  async onOpen(name) {
    const entry = this.watching.get(name);
    // Only answers to our own request count (it may have been closed meanwhile).
    if (!entry || entry.pc) return;
    const pc = this.newPeerConnection(name, ROLE_FROM_VIEWER);
    entry.pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.addTransceiver('audio', { direction: 'recvonly' });
    pc.addEventListener('track', (ev) => {
      const stream = ev.streams && ev.streams[0] ? ev.streams[0] : new MediaStream([ev.track]);
      entry.gotTrack = true;
      if (this.watching.get(name) === entry) this.ui.feedOpened(name, stream);
    });
    pc.addEventListener('connectionstatechange', () => {
      if (this.watching.get(name) !== entry) return;
      if (pc.connectionState === 'failed') this.ui.feedState(name, 'Connection failed');
      if (pc.connectionState === 'connected') this.ui.feedState(name, '');
    });
    try {
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      this.send({ action: 'sdp', username: name, description: JSON.stringify(pc.localDescription) });
    } catch (e) {
      this.ui.feedState(name, 'Could not connect: ' + e.message);
    }
  }

  /** First frames arrived: tell the broadcaster we are watching. */
  frameSeen(name) {
    const entry = this.watching.get(name);
    if (entry && !entry.watched) {
      entry.watched = true;
      this.send({ action: 'watch', username: name });
    }
  }

  closeFeed(name, { notify = true } = {}) {
    const entry = this.watching.get(name);
    if (!entry) return;
    this.watching.delete(name);
    if (entry.pc) entry.pc.close();
    if (notify) this.send({ action: 'unwatch', username: name });
    this.ui.feedClosed(name);
  }

  // ---- broadcaster side --------------------------------------------------------------------

  async onOffer(from, description) {
    if (!this.localStream) return; // not broadcasting (any more): let the viewer time out
    this.closeViewer(from, { quiet: true });
    const entry = { pc: null, pending: this.early.get(from) || [] };
    this.early.delete(from);
    const pc = this.newPeerConnection(from, ROLE_FROM_BROADCASTER);
    entry.pc = pc;
    this.viewers.set(from, entry);
    for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        if (this.viewers.get(from) === entry) this.closeViewer(from);
      }
    });
    try {
      await pc.setRemoteDescription(description);
      await this.flushCandidates(entry);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.send({ action: 'sdp', username: from, description: JSON.stringify(pc.localDescription) });
    } catch (e) {
      this.closeViewer(from);
    }
  }

  closeViewer(name, { quiet = false } = {}) {
    const entry = this.viewers.get(name);
    if (!entry) return;
    this.viewers.delete(name);
    entry.pc.close();
    if (!quiet) this.ui.viewersChanged([...this.viewers.keys()]);
  }

  onWatch(name) {
    this.ui.viewersChanged([...this.viewers.keys()]);
  }

  onUnwatch(name) {
    this.closeViewer(name);
  }

  // ---- relayed signaling ------------------------------------------------------------------

  async onSdp(from, descriptionJson) {
    let description;
    try {
      description = JSON.parse(descriptionJson);
    } catch {
      return;
    }
    if (!description || (description.type !== 'offer' && description.type !== 'answer')) return;
    if (description.type === 'offer') {
      await this.onOffer(from, { type: 'offer', sdp: String(description.sdp || '') });
      return;
    }
    const entry = this.watching.get(from);
    if (!entry || !entry.pc || entry.pc.signalingState !== 'have-local-offer') return;
    try {
      await entry.pc.setRemoteDescription({ type: 'answer', sdp: String(description.sdp || '') });
      await this.flushCandidates(entry);
    } catch (e) {
      this.ui.feedState(from, 'Could not connect: ' + e.message);
    }
  }

  async onCandidate(from, candidateJson) {
    let c;
    try {
      c = JSON.parse(candidateJson);
    } catch {
      return;
    }
    if (!c || typeof c !== 'object') return;
    // The sender's role tells which of our connections it belongs to.
    let entry;
    if (c.rtchatRole === ROLE_FROM_VIEWER) entry = this.viewers.get(from);
    else if (c.rtchatRole === ROLE_FROM_BROADCASTER) entry = this.watching.get(from);
    else entry = this.watching.get(from) || this.viewers.get(from);
    const init = { candidate: String(c.candidate || ''), sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
    if (!entry) {
      if (c.rtchatRole === ROLE_FROM_VIEWER && this.localStream) {
        const early = this.early.get(from) || [];
        if (early.length < MAX_PENDING_CANDIDATES) early.push(init);
        this.early.set(from, early);
      }
      return;
    }
    if (!entry.pc || !entry.pc.remoteDescription) {
      if (entry.pending.length < MAX_PENDING_CANDIDATES) entry.pending.push(init);
      return;
    }
    await entry.pc.addIceCandidate(init).catch(() => {});
  }

  async flushCandidates(entry) {
    const pending = entry.pending.splice(0);
    for (const init of pending) await entry.pc.addIceCandidate(init).catch(() => {});
  }

  newPeerConnection(peer, myRole) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers() });
    pc.addEventListener('icecandidate', (ev) => {
      if (!ev.candidate) return;
      const c = ev.candidate.toJSON();
      c.rtchatRole = myRole;
      this.send({ action: 'candidate', username: peer, candidate: JSON.stringify(c) });
    });
    return pc;
  }

  /** The who list changed: close feeds whose broadcaster left or turned the camera off. */
  reconcile(whoByName) {
    for (const name of [...this.watching.keys()]) {
      const w = whoByName.get(name);
      if (!w || !(w.video & VIDEO_ACTIVE)) this.closeFeed(name, { notify: false });
    }
    for (const name of [...this.viewers.keys()]) {
      if (!whoByName.has(name)) this.closeViewer(name);
    }
  }

  /** Forget everything about a user we blocked or who blocked us. */
  forget(name) {
    this.early.delete(name);
    this.closeFeed(name, { notify: false });
    this.closeViewer(name);
  }
}
