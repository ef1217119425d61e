// The browser side of protocols/rtchat-mqtt.md, reduced to what the Java tests need.
// Query parameters: name, room, ws (broker WebSocket URL), fresh=1 (forget stored keys).
'use strict';
(function () {
  const params = new URLSearchParams(location.search);
  if (params.get('fresh') === '1') {
    localStorage.clear();
  }
  let name = params.get('name');
  const topic = 'mrtchat/' + (params.get('room') || 'chat');
  const LABELS = ['connectedViaRTC', 'dm', 'chat', 'question', 'answer', 'ping', 'pong',
    'streamice', 'streamoffer', 'streamanswer', 'endcall'];
  const PSS = { name: 'RSA-PSS', hash: 'SHA-256' };

  const H = window.H = {
    name, ready: false, events: [], chats: [], validated: {}, failed: {}, roles: {},
    fromOthers: [], candidatesSent: [], compressedSent: 0, plainSent: [], pongs: 0, questions: [],
  };
  const log = (kind, peer, detail) => H.events.push({ kind, peer, detail: detail === undefined ? null : detail });

  const conns = {};
  const userInfo = {};
  const early = {};
  const pendingAsks = {};
  let n = 0;
  let keys = null;
  let client = null;
  let leaving = false;

  // ---- keys (RSA-PSS 2048, SHA-256, salt 32), kept across reloads like the page's ----
  async function loadKeys() {
    const stored = localStorage.getItem('harnessKeys');
    if (stored) {
      const { priv, pub } = JSON.parse(stored);
      return {
        privateKey: await crypto.subtle.importKey('jwk', priv, PSS, true, ['sign']),
        publicKeyString: pub,
      };
    }
    const pair = await crypto.subtle.generateKey(
      { name: 'RSA-PSS', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true, ['sign', 'verify']);
    const pub = JSON.stringify(await crypto.subtle.exportKey('jwk', pair.publicKey));
    const priv = await crypto.subtle.exportKey('jwk', pair.privateKey);
    localStorage.setItem('harnessKeys', JSON.stringify({ priv, pub }));
    return { privateKey: pair.privateKey, publicKeyString: pub };
  }
  const known = () => JSON.parse(localStorage.getItem('harnessKnown') || '{}');
  function pin(bare, key) {
    const all = known();
    all[bare] = key;
    localStorage.setItem('harnessKnown', JSON.stringify(all));
  }
  const bareName = (full) => full.split('|')[0].split('(')[0].trim();
  const latin1Bytes = (text) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  const latin1Text = (buffer) => Array.from(new Uint8Array(buffer), (b) => String.fromCharCode(b)).join('');
  async function sign(text) {
    return latin1Text(await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: 32 }, keys.privateKey, latin1Bytes(text)));
  }
  async function verify(publicKeyString, text, signature) {
    const key = await crypto.subtle.importKey('jwk', JSON.parse(publicKeyString), PSS, true, ['verify']);
    return crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, key, latin1Bytes(signature), latin1Bytes(text));
  }
  function randomChallenge() {
    return latin1Text(crypto.getRandomValues(new Uint8Array(32)).buffer);
  }

  // ---- MQTT ----
  function publish(subtopic, data) {
    const text = JSON.stringify({ sender: name, timestamp: Date.now(), subtopic, data });
    let payload;
    if (text.length >= 100) {
      payload = LZString.compressToUint8Array(text);
      H.compressedSent++;
    } else {
      payload = new TextEncoder().encode(text);
      H.plainSent.push(payload.length);
    }
    client.publish(topic, payload, { qos: 0, retain: false });
  }
  H.publishPlain = (subtopic, data) => {
    const payload = new TextEncoder().encode(JSON.stringify({ sender: name, timestamp: Date.now(), subtopic, data }));
    client.publish(topic, payload, { qos: 0, retain: false });
    return payload.length;
  };

  // Like the page: every payload goes through decompressFromUint8Array first.
  function decode(bytes) {
    let text;
    try {
      text = LZString.decompressFromUint8Array(bytes);
    } catch (e) {
      text = new TextDecoder().decode(bytes); // odd length: plain JSON
    }
    if (!text) {
      return null; // even-length plain JSON decodes to "" and is lost
    }
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function onPayload(bytes) {
    const message = decode(bytes);
    if (!message || typeof message !== 'object' || !message.sender || message.sender === name) {
      return;
    }
    H.fromOthers.push({ sender: message.sender, subtopic: message.subtopic, length: bytes.length });
    const from = message.sender;
    const data = message.data;
    switch (message.subtopic) {
      case 'connect': onConnect(from, data); break;
      case 'RTCOffer': onOffer(from, data); break;
      case 'RTCAnswer': onAnswer(from, data); break;
      case 'RTCIceCandidate': onCandidate(from, data); break;
      case 'unload': log('unload', from); closeConn(from, 'unload'); break;
      default: break;
    }
  }

  let announceTimers = [];
  function startAnnouncing() {
    announceTimers.forEach(clearTimeout);
    const connected = () => Object.values(conns).some((c) => c.connected && !c.closed);
    const announce = () => publish('connect', { publicKeyString: keys.publicKeyString });
    // eagerOfferTo: offer right after the first announcement, to make offers cross (glare).
    const eager = params.get('eagerOfferTo');
    announceTimers = [setTimeout(() => { announce(); if (eager) offer(eager); }, 500)];
    for (const at of [3000, 6000, 9000, 12000, 15000]) {
      announceTimers.push(setTimeout(() => { if (!connected()) announce(); }, at));
    }
    announceTimers.push(setTimeout(() => {
      announceTimers.push(setInterval(() => { if (!connected()) announce(); }, 30000));
    }, 15000));
  }

  // ---- connections ----
  function onConnect(from, data) {
    userInfo[from] = data;
    const c = conns[from];
    if (c && !c.closed) {
      return;
    }
    if (name.localeCompare(from) < 0) {
      offer(from);
    } else {
      setTimeout(() => { if (!conns[from] || conns[from].closed) offer(from); }, 1100);
    }
  }

  function newConn(from, initiator) {
    const pc = new RTCPeerConnection({ iceServers: [] });
    const c = { pc, channels: {}, open: new Set(), connected: false, closed: false, initiator, candidates: [] };
    conns[from] = c;
    H.roles[from] = initiator ? 'offerer' : 'answerer';
    pc.onicecandidate = (e) => {
      if (e.candidate) H.candidatesSent.push(e.candidate.candidate);
      publish('RTCIceCandidate', e.candidate ? e.candidate.toJSON() : null);
    };
    pc.onconnectionstatechange = () => {
      if (['failed', 'closed', 'disconnected'].includes(pc.connectionState) && conns[from] === c) {
        closeConn(from, 'ice ' + pc.connectionState);
      }
    };
    pc.ondatachannel = (e) => setupChannel(from, c, e.channel);
    return c;
  }

  function setupChannel(from, c, channel) {
    c.channels[channel.label] = channel;
    channel.onopen = () => {
      c.open.add(channel.label);
      if (c.initiator && c.open.size === LABELS.length && !c.connected) {
        c.channels.connectedViaRTC.send('null');
        markConnected(from, c);
      }
    };
    channel.onclose = () => { if (conns[from] === c) closeConn(from, 'channel closed'); };
    channel.onmessage = (e) => {
      if (typeof e.data !== 'string') {
        log('binary', from, channel.label);
        return;
      }
      let value;
      try { value = JSON.parse(e.data); } catch (err) { log('badjson', from, channel.label); return; }
      onChannelMessage(from, c, channel.label, value);
    };
  }

  async function offer(from) {
    const c = newConn(from, true);
    LABELS.forEach((label) => setupChannel(from, c, c.pc.createDataChannel(label)));
    await c.pc.setLocalDescription(await c.pc.createOffer());
    c.pendingOffer = true;
    publish('RTCOffer', {
      userInfo: { publicKeyString: keys.publicKeyString },
      offer: { localDescription: c.pc.localDescription.toJSON(), target: from },
    });
  }

  async function onOffer(from, data) {
    if (!data || !data.offer || data.offer.target !== name) {
      return;
    }
    if (typeof data.userInfo !== 'object' || data.userInfo === null) {
      log('error', from, 'offer without userInfo object');
      return;
    }
    userInfo[from] = data.userInfo;
    if (conns[from] && !conns[from].closed) {
      closeConn(from, 'replaced');
    }
    const c = newConn(from, false);
    log('offer', from, data.offer.localDescription.sdp);
    await c.pc.setRemoteDescription(data.offer.localDescription);
    await flushCandidates(from, c);
    await c.pc.setLocalDescription(await c.pc.createAnswer());
    publish('RTCAnswer', { localDescription: c.pc.localDescription.toJSON(), target: from });
  }

  async function onAnswer(from, data) {
    const c = conns[from];
    if (!data || data.target !== name || !c || !c.pendingOffer) {
      return;
    }
    c.pendingOffer = false;
    await c.pc.setRemoteDescription(data.localDescription);
    await flushCandidates(from, c);
  }

  async function onCandidate(from, data) {
    if (!data) {
      return;
    }
    if (data.sdpMid !== '0' || data.sdpMLineIndex !== 0 || !data.usernameFragment) {
      log('error', from, 'candidate without sdpMid/sdpMLineIndex/usernameFragment');
    }
    const c = conns[from];
    if (c && !c.closed && c.pc.remoteDescription) {
      try { await c.pc.addIceCandidate(data); } catch (e) { log('error', from, 'candidate: ' + e); }
    } else {
      (early[from] = early[from] || []).push(data);
    }
  }

  async function flushCandidates(from, c) {
    const list = early[from] || [];
    delete early[from];
    for (const candidate of list) {
      try { await c.pc.addIceCandidate(candidate); } catch (e) { /* another session's */ }
    }
  }

  function closeConn(from, reason) {
    const c = conns[from];
    if (!c || c.closed) {
      return;
    }
    c.closed = true;
    log('closed', from, reason);
    try { c.pc.close(); } catch (e) { /* closed */ }
  }

  function markConnected(from, c) {
    c.connected = true;
    log('connected', from);
    setTimeout(() => validate(from, c), 1000);
  }

  async function validate(from, c) {
    if (c.closed || H.validated[from]) {
      return;
    }
    const challenge = randomChallenge();
    const stored = known()[bareName(from)];
    try {
      if (stored) {
        const signature = await ask(from, 'challenge', challenge);
        const ok = typeof signature === 'string' && await verify(stored, challenge, signature);
        log('challenge', from, ok);
        if (ok) { H.validated[from] = true; } else { H.failed[from] = 'challenge'; }
      } else {
        const answer = await ask(from, 'identify', challenge);
        const ok = await verify(answer.publicKeyString, challenge, answer.signature);
        log('identify', from, ok);
        if (ok) { pin(bareName(from), answer.publicKeyString); H.validated[from] = true; } else { H.failed[from] = 'identify'; }
      }
    } catch (e) {
      log('error', from, 'validation: ' + e);
      H.failed[from] = String(e);
    }
  }

  function ask(from, questionTopic, content) {
    const id = n++;
    return new Promise((resolve) => {
      pendingAsks[id] = resolve;
      conns[from].channels.question.send(JSON.stringify({ n: id, question: { topic: questionTopic, content } }));
    });
  }

  async function onChannelMessage(from, c, label, value) {
    switch (label) {
      case 'connectedViaRTC':
        if (!c.initiator && !c.connected) markConnected(from, c);
        break;
      case 'chat':
        H.chats.push({ from, text: value });
        break;
      case 'question': {
        H.questions.push({ from, topic: value.question.topic });
        let answer;
        const content = value.question.content;
        if (value.question.topic === 'identify') {
          answer = { publicKeyString: keys.publicKeyString, signature: await sign(content) };
        } else if (value.question.topic === 'challenge') {
          answer = await sign(content);
        } else if (value.question.topic === 'upper') {
          answer = String(content).toUpperCase();
        } else {
          return; // like the page: unknown topics are never answered
        }
        c.channels.answer.send(JSON.stringify({ n: value.n, answer, question: value.question }));
        break;
      }
      case 'answer': {
        const resolve = pendingAsks[value.n];
        delete pendingAsks[value.n];
        if (resolve) resolve(value.answer);
        break;
      }
      case 'pong':
        H.pongs++;
        break;
      case 'endcall':
        log('endcall', from, value);
        break;
      default:
        break;
    }
  }

  // ---- driven by the tests ----
  H.sendChat = (peer, text) => conns[peer].channels.chat.send(JSON.stringify(text));
  H.ask = (peer, questionTopic, content, done) => ask(peer, questionTopic, content).then(done);
  H.askWithin = (peer, questionTopic, content, millis, done) => Promise.race([
    ask(peer, questionTopic, content),
    new Promise((resolve) => setTimeout(() => resolve('no answer'), millis)),
  ]).then(done);
  H.ping = (peer) => conns[peer].channels.ping.send(JSON.stringify('ping'));
  H.call = (peer) => conns[peer].channels.streamoffer.send(JSON.stringify(
    { offer: { type: 'offer', sdp: 'v=0\r\n' }, streamInfo: { video: true, audio: true } }));
  H.state = (peer) => {
    const c = conns[peer];
    return c ? { connected: c.connected, closed: c.closed, role: H.roles[peer] } : null;
  };
  H.rename = (newName) => {
    const oldName = name;
    name = newName;
    H.name = newName;
    publish('nameChange', { oldName, newName });
  };
  H.leave = () => {
    if (leaving) return;
    leaving = true;
    publish('unload', 'disconnecting');
    setTimeout(() => { Object.keys(conns).forEach((p) => closeConn(p, 'left')); client.end(); }, 1000);
  };

  loadKeys().then((loaded) => {
    keys = loaded;
    H.publicKeyString = keys.publicKeyString;
    client = mqtt.connect(params.get('ws'), {
      protocolVersion: 4, clientId: 'mrtchat' + name, clean: true, keepalive: 60,
      reconnectPeriod: 500, connectTimeout: 10000,
    });
    client.on('connect', () => client.subscribe(topic, { qos: 0 }, (err) => {
      if (err) { log('error', null, 'subscribe: ' + err); return; }
      H.ready = true;
      startAnnouncing();
    }));
    client.on('message', (t, payload) => onPayload(new Uint8Array(payload)));
  }).catch((e) => log('error', null, 'start: ' + e));
}());
