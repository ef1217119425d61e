// The /ws connection: one JSON object per text frame, both ways, and reconnection after a
// dropped socket. Connection state is reported as one of the STATES, like Curator's listeners.

export const STATES = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  LOST: 'lost', // gave up, or the server told us to stop (disconnect)
});

export class ChatSocket {
  /**
   * @param {object} o
   * @param {string} o.url ws:// or wss:// URL of /ws
   * @param {(sock: ChatSocket) => void} o.onOpen called on every (re)connect; should log in
   * @param {(msg: object) => void} o.onMessage one parsed frame
   * @param {(state: string, detail?: string) => void} o.onState
   * @param {number[]} [o.delaysMs] wait before each successive reconnect attempt
   */
  constructor({ url, onOpen, onMessage, onState, delaysMs = [1000, 2000, 5000, 5000, 5000] }) {
    this.url = url;
    this.onOpen = onOpen;
    this.onMessage = onMessage;
    this.onState = onState;
    this.delaysMs = delaysMs;
    this.ws = null;
    this.failures = 0; // closes since the last good session
    this.stopped = false;
    this.timer = null;
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.timer);
    this.onState(this.failures ? STATES.RECONNECTING : STATES.CONNECTING);
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.onState(STATES.CONNECTED);
      this.onOpen(this);
    });
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return; // not JSON: ignored, as the protocol says
      }
      if (msg && typeof msg === 'object' && typeof msg.action === 'string') this.onMessage(msg);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      // 1000 is a deliberate end. Unlike BareRTC's page we also come back after 1001 (going
      // away): that is what a server restart looks like, and the usual reason for a drop.
      if (this.stopped || ev.code === 1000) {
        this.onState(STATES.LOST, 'closed');
        return;
      }
      this.failures += 1;
      if (this.failures > this.delaysMs.length) {
        this.onState(STATES.LOST, 'gave up after ' + this.delaysMs.length + ' attempts');
        return;
      }
      const wait = this.delaysMs[this.failures - 1];
      this.onState(STATES.RECONNECTING, 'retrying in ' + Math.round(wait / 1000) + ' s');
      this.timer = setTimeout(() => this.connect(), wait);
    });
  }

  /** Try again after giving up (the user asked to). */
  retry() {
    this.failures = 0;
    this.connect();
  }

  /** The session is healthy again (logged in or pinged): reset the failure count. */
  healthy() {
    this.failures = 0;
  }

  get open() {
    return this.ws != null && this.ws.readyState === WebSocket.OPEN;
  }

  send(obj) {
    if (this.open) {
      this.ws.send(JSON.stringify(obj));
      return true;
    }
    return false;
  }

  /** Stop for good (the server sent `disconnect`, or the user left). */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null; // frames still in flight on it are ignored from now on
    if (ws) ws.close(1000);
  }

  /** Closes the socket as a network failure would; used to exercise reconnection. */
  drop() {
    if (this.ws) this.ws.close(4000, 'dropped by client');
  }
}
