// The chat page: login, channels and DMs, who list, webcams, moderation.
// Rendering rule: user-supplied strings go through textContent (see dom.js); the operator's
// Branding is the only HTML inserted as such.

import { readBoot } from './boot.js';
import { el, icon, safeUrl, renderServerHtml, serverHtmlToText } from './dom.js';
import { ChatSocket, STATES } from './socket.js';
import { VideoManager, VIDEO_ACTIVE, VIDEO_NSFW } from './video.js';

const MAX_LINES_PER_CONVERSATION = 500;

const boot = readBoot();
const $ = (id) => document.getElementById(id);

const state = {
  me: null, // my final username once logged in
  loggedIn: false,
  loggingIn: false,
  jwt: boot.jwt, // refreshed by the server's pings
  who: [],
  whoByName: new Map(),
  convs: new Map(), // id -> conversation
  active: null,
  muted: new Set(),
  blocked: new Set(),
  booted: new Set(),
  welcomed: new Set(), // welcome lines already shown (they are sent again on reconnect)
  everLoggedIn: false,
};

let socket = null;

const video = new VideoManager({
  send: (m) => socket && socket.send(m),
  iceServers: () => boot.iceServers,
  ui: {
    feedOpened: showFeedStream,
    feedState: setFeedState,
    feedClosed: removeFeed,
    localChanged: showLocalStream,
    viewersChanged: showViewers,
  },
});

// ---- conversations ---------------------------------------------------------------------------

function conversation(id) {
  let conv = state.convs.get(id);
  if (conv) return conv;
  const isDm = id.startsWith('@');
  const channel = boot.channels.find((c) => c.id === id);
  conv = {
    id,
    kind: isDm ? 'dm' : 'channel',
    name: isDm ? id.slice(1) : channel ? channel.name : id,
    vip: channel ? channel.vip : false,
    unread: 0,
    seen: new Set(),
    log: el('div', { class: 'log', attrs: { role: 'log', hidden: true }, dataset: { conv: id } }),
    item: null,
  };
  const badge = el('span', { class: 'unread', attrs: { hidden: true } });
  const label = el('span', { class: 'conv-name', text: isDm ? conv.name : '#' + conv.name });
  const button = el('button', {
    class: 'conv-button',
    attrs: { type: 'button' },
    on: { click: () => { activate(id); closeDrawers(); } },
  }, isDm ? icon('chat') : null, label, badge);
  conv.item = el('li', { dataset: { conv: id } }, button);
  conv.badge = badge;
  if (conv.vip) conv.item.hidden = true;
  if (isDm) conv.item.classList.toggle('offline', !state.whoByName.has(conv.name));
  (isDm ? $('dm-list') : $('channel-list')).append(conv.item);
  $('chat-history').append(conv.log);
  state.convs.set(id, conv);
  if (isDm && boot.dmDisclaimer) addNotice(id, boot.dmDisclaimer, 'welcome', { html: true });
  return conv;
}

function activate(id) {
  const conv = conversation(id);
  if (state.active && state.active !== id) {
    const prev = state.convs.get(state.active);
    prev.log.hidden = true;
    prev.item.classList.remove('active');
  }
  state.active = id;
  conv.log.hidden = false;
  conv.item.classList.add('active');
  conv.unread = 0;
  updateUnread(conv);
  const title = conv.kind === 'dm' ? '@' + conv.name : '#' + conv.name;
  $('conv-title').textContent = title;
  $('message-box').placeholder = 'Message ' + title;
  scrollToEnd(conv, true);
  if (state.loggedIn && window.matchMedia('(min-width: 800px)').matches) $('message-box').focus();
}

function updateUnread(conv) {
  conv.badge.hidden = conv.unread === 0;
  conv.badge.textContent = conv.unread > 99 ? '99+' : String(conv.unread);
  conv.item.classList.toggle('has-unread', conv.unread > 0);
  let total = 0;
  for (const c of state.convs.values()) total += c.unread;
  document.title = (total ? '(' + total + ') ' : '') + boot.title;
  const any = $('toggle-channels');
  any.classList.toggle('has-unread', total > 0);
}

function scrollToEnd(conv, force) {
  const box = $('chat-history');
  const nearEnd = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  if (force || nearEnd) box.scrollTop = box.scrollHeight;
}

function appendLine(conv, line, { countUnread }) {
  const box = $('chat-history');
  const stick = state.active === conv.id && box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  conv.log.append(line);
  while (conv.log.childElementCount > MAX_LINES_PER_CONVERSATION) conv.log.firstElementChild.remove();
  if (countUnread && (state.active !== conv.id || document.hidden)) {
    conv.unread += 1;
    updateUnread(conv);
  }
  if (stick) box.scrollTop = box.scrollHeight;
}

function timeText(timestamp) {
  const d = timestamp ? new Date(timestamp) : new Date();
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function displayName(username) {
  const w = state.whoByName.get(username);
  return w && typeof w.nickname === 'string' && w.nickname ? w.nickname : username;
}

function addChat(convId, m, { countUnread = true } = {}) {
  const username = typeof m.username === 'string' ? m.username : '';
  if (state.muted.has(username) || state.blocked.has(username)) return;
  const conv = conversation(convId);
  if (m.msgID != null) {
    const key = String(m.msgID);
    if (conv.seen.has(key)) return; // replayed by echo after a reconnect
    conv.seen.add(key);
    if (conv.seen.size > 2 * MAX_LINES_PER_CONVERSATION) conv.seen.delete(conv.seen.values().next().value);
  }
  const mine = username === state.me;
  const author = el('button', {
    class: 'msg-author',
    text: displayName(username),
    title: mine ? 'You' : 'Send a direct message to ' + username,
    attrs: { type: 'button' },
    on: { click: () => { if (!mine && username) openDm(username); } },
  });
  const head = el('div', { class: 'msg-head' }, author, el('time', { class: 'msg-time', text: timeText(m.timestamp) }));
  if (m.msgID != null && (mine || isOp())) {
    head.append(el('button', {
      class: 'msg-takeback',
      title: 'Take back this message',
      attrs: { type: 'button', 'aria-label': 'Take back this message' },
      on: { click: () => socket.send({ action: 'takeback', msgID: m.msgID }) },
    }, icon('close')));
  }
  const body = el('div', { class: 'msg-body' });
  body.append(renderServerHtml(m.message));
  const line = el('div', { class: 'msg' + (mine ? ' mine' : ''), dataset: { user: username } }, head, body);
  if (m.msgID != null) line.dataset.msgId = String(m.msgID);
  appendLine(conv, line, { countUnread: countUnread && !mine });
}

/** A line from the page or the server that is not chat: welcomes, notices, presence. */
function addNotice(convId, text, kind = 'notice', { html = false } = {}) {
  const conv = conversation(convId || state.active || firstChannelId());
  const body = el('div', { class: 'notice-body' });
  if (html) body.append(renderServerHtml(text));
  else body.textContent = text;
  appendLine(conv, el('div', { class: 'notice ' + kind }, body), { countUnread: false });
}

function firstChannelId() {
  return boot.channels[0].id;
}

function openDm(username) {
  if (username === state.me) return;
  activate('@' + username);
  closeDrawers();
}

// ---- who list --------------------------------------------------------------------------------

function isOp() {
  const w = state.whoByName.get(state.me);
  return Boolean(w && w.op);
}

function setWho(list) {
  state.who = Array.isArray(list) ? list.filter((w) => w && typeof w.username === 'string') : [];
  state.whoByName = new Map(state.who.map((w) => [w.username, w]));
  const meEntry = state.whoByName.get(state.me);
  const vipOk = Boolean(meEntry && (meEntry.vip || meEntry.op));
  for (const conv of state.convs.values()) {
    if (conv.vip) conv.item.hidden = !vipOk;
    if (conv.kind === 'dm') conv.item.classList.toggle('offline', !state.whoByName.has(conv.name));
  }
  document.body.classList.toggle('is-op', isOp());
  video.reconcile(state.whoByName);
  renderWho();
}

function avatarFor(w) {
  const holder = el('span', { class: 'avatar', attrs: { 'aria-hidden': 'true' } });
  const initial = () => {
    holder.textContent = (Array.from(displayName(w.username).trim())[0] || '?').toUpperCase();
    holder.classList.add('initial');
    holder.style.setProperty('--hue', String(hue(w.username)));
  };
  const src = safeUrl(w.avatar, boot.websiteUrl || location.href);
  if (src) {
    const img = el('img', { attrs: { src, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer' } });
    // A picture that fails to load gives way to the initial (the element stays, hidden).
    img.addEventListener('error', () => { img.hidden = true; initial(); holder.prepend(img); }, { once: true });
    holder.append(img);
  } else {
    initial();
  }
  return holder;
}

function hue(s) {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.codePointAt(0)) % 360;
  return h;
}

function renderWho() {
  const list = $('who-list');
  const items = [];
  for (const w of state.who) {
    const self = w.username === state.me;
    const name = el('button', {
      class: 'who-name',
      title: self ? 'You' : 'Send a direct message to ' + w.username,
      attrs: { type: 'button', disabled: self },
      on: { click: () => openDm(w.username) },
    }, el('span', { class: 'who-display', text: displayName(w.username) }));
    if (w.nickname && w.nickname !== w.username) name.append(el('span', { class: 'who-username', text: w.username }));
    const badges = el('span', { class: 'badges' });
    if (w.op) badges.append(el('span', { class: 'badge badge-op', text: 'op', title: 'Chat operator' }));
    if (w.vip) badges.append(el('span', { class: 'badge badge-vip', text: 'vip', title: 'VIP' }));
    if (self) badges.append(el('span', { class: 'badge badge-you', text: 'you' }));
    if (state.muted.has(w.username)) badges.append(el('span', { class: 'badge badge-muted', text: 'muted' }));
    if (w.status && w.status !== 'online') badges.append(el('span', { class: 'badge badge-status', text: w.status }));
    const video = Number(w.video) || 0;
    const cam = el('button', {
      class: 'who-cam' + (video & VIDEO_NSFW ? ' nsfw' : '') + (video & VIDEO_ACTIVE ? ' on' : ''),
      attrs: { type: 'button', disabled: self || !(video & VIDEO_ACTIVE), hidden: !(video & VIDEO_ACTIVE) },
      title: self ? 'Your camera is on' : 'Open video stream of ' + w.username,
      on: { click: () => openFeed(w.username) },
    }, icon('camera'));
    cam.setAttribute('aria-label', cam.title);
    const more = el('button', {
      class: 'who-more',
      title: 'More actions for ' + w.username,
      attrs: { type: 'button', hidden: self, 'aria-label': 'More actions for ' + w.username },
      on: { click: (ev) => openUserMenu(w.username, ev.currentTarget) },
    }, icon('more'));
    items.push(el('li', { class: 'who-item' + (self ? ' self' : ''), dataset: { user: w.username } }, avatarFor(w), name, badges, cam, more));
  }
  list.replaceChildren(...items);
  $('who-count').textContent = String(state.who.length);
  $('who-badge').textContent = String(state.who.length);
  $('who-badge').hidden = state.who.length === 0;
}

// ---- user menu (DM, mute, block, boot, operator actions) -----------------------------------

function quoteName(name) {
  return '"' + name.replace(/(["\\])/g, '\\$1') + '"';
}

function opCommand(command, name, extra = '') {
  const channel = state.active && !state.active.startsWith('@') ? state.active : firstChannelId();
  socket.send({ action: 'message', channel, message: '/' + command + ' ' + quoteName(name) + extra });
}

function openUserMenu(username, anchor) {
  const menu = $('user-menu');
  const w = state.whoByName.get(username) || { username };
  const items = [];
  const action = (label, fn, { confirm = false, cls = '' } = {}) => {
    const b = el('button', { class: 'menu-item ' + cls, text: label, attrs: { type: 'button', role: 'menuitem' } });
    b.addEventListener('click', () => {
      if (confirm && !b.classList.contains('confirming')) {
        b.classList.add('confirming');
        b.textContent = label + ' — click again to confirm';
        return;
      }
      closeUserMenu();
      fn();
    });
    items.push(b);
  };
  items.push(el('div', { class: 'menu-title', text: displayName(username) }));
  action('Direct message', () => openDm(username));
  if ((Number(w.video) || 0) & VIDEO_ACTIVE) action('Open camera', () => openFeed(username));
  const profile = safeUrl(w.profileURL, boot.websiteUrl || location.href);
  if (profile) {
    items.push(el('a', { class: 'menu-item', text: 'View profile', attrs: { href: profile, target: '_blank', rel: 'noopener noreferrer', role: 'menuitem' } }));
  }
  if (state.muted.has(username)) action('Unmute', () => setMuted(username, false));
  else action('Mute', () => setMuted(username, true));
  if (!w.op) action('Block', () => blockUser(username), { confirm: true, cls: 'danger' });
  if (video.broadcasting) {
    if (state.booted.has(username)) action('Allow on my camera again', () => setBooted(username, false));
    else action('Boot off my camera', () => setBooted(username, true));
  }
  if (isOp()) {
    items.push(el('div', { class: 'menu-title', text: 'Operator' }));
    action('Kick', () => opCommand('kick', username), { confirm: true, cls: 'danger' });
    action('Ban for 24 hours', () => opCommand('ban', username, ' 24'), { confirm: true, cls: 'danger' });
    if ((Number(w.video) || 0) & VIDEO_ACTIVE) {
      action('Cut their camera', () => opCommand('cut', username), { confirm: true });
      if (!((Number(w.video) || 0) & VIDEO_NSFW)) action('Mark camera Explicit', () => opCommand('nsfw', username), { confirm: true });
    }
    if (w.op) action('Remove operator', () => opCommand('deop', username), { confirm: true });
    else action('Make operator', () => opCommand('op', username), { confirm: true });
  }
  menu.replaceChildren(...items);
  menu.dataset.user = username;
  menu.hidden = false;
  const r = anchor.getBoundingClientRect();
  const width = Math.min(260, window.innerWidth - 16);
  menu.style.width = width + 'px';
  menu.style.left = Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8)) + 'px';
  const below = r.bottom + 4;
  menu.style.top = Math.max(8, Math.min(below, window.innerHeight - menu.offsetHeight - 8)) + 'px';
  menu.querySelector('button')?.focus();
}

function closeUserMenu() {
  $('user-menu').hidden = true;
}

function setMuted(username, muted) {
  if (muted) state.muted.add(username);
  else state.muted.delete(username);
  socket.send({ action: muted ? 'mute' : 'unmute', username });
  addNotice(state.active, muted ? 'You muted ' + username + '. You will not see their messages.' : 'You unmuted ' + username + '.', 'local');
  renderWho();
}

function blockUser(username) {
  state.blocked.add(username);
  socket.send({ action: 'block', username });
  video.forget(username);
  addNotice(state.active, 'You blocked ' + username + '. You will not see each other in this chat.', 'local');
}

function setBooted(username, booted) {
  if (booted) {
    state.booted.add(username);
    video.closeViewer(username);
  } else {
    state.booted.delete(username);
  }
  socket.send({ action: booted ? 'boot' : 'unboot', username });
}

// ---- webcams ---------------------------------------------------------------------------------

function openFeed(username) {
  if (username === state.me) return;
  closeDrawers();
  video.requestFeed(username);
}

function feedTile(name, { local = false } = {}) {
  const box = $('videos');
  let tile = box.querySelector('.feed[data-user="' + CSS.escape(name) + '"]' + (local ? '.local' : ':not(.local)'));
  if (tile) return tile;
  const v = el('video', { attrs: { autoplay: true, playsinline: true } });
  v.muted = true; // autoplay needs it; remote sound is one click away
  const stateLine = el('span', { class: 'feed-state' });
  const caption = el('figcaption', {}, el('span', { class: 'feed-name', text: local ? 'You' : displayName(name) }), stateLine);
  if (local) {
    caption.append(el('span', { class: 'feed-viewers', title: 'People watching you' }, icon('eye'), el('span', { class: 'count', text: '0' })));
  } else {
    const sound = el('button', { class: 'feed-sound', title: 'Unmute', attrs: { type: 'button', 'aria-label': 'Unmute' } }, icon('speakerOff'));
    sound.addEventListener('click', () => {
      v.muted = !v.muted;
      sound.replaceChildren(icon(v.muted ? 'speakerOff' : 'speaker'));
      sound.title = v.muted ? 'Unmute' : 'Mute';
      sound.setAttribute('aria-label', sound.title);
    });
    const close = el('button', {
      class: 'feed-close',
      title: 'Close video of ' + name,
      attrs: { type: 'button', 'aria-label': 'Close video of ' + name },
      on: { click: () => video.closeFeed(name) },
    }, icon('close'));
    caption.append(sound, close);
    v.addEventListener('loadeddata', () => video.frameSeen(name));
  }
  tile = el('figure', { class: 'feed' + (local ? ' local' : ''), dataset: { user: name } }, v, caption);
  if (local) tile.id = 'my-feed';
  box.append(tile);
  box.hidden = false;
  document.body.classList.add('has-videos');
  return tile;
}

function showFeedStream(name, stream) {
  const tile = feedTile(name);
  const v = tile.querySelector('video');
  if (v.srcObject !== stream) {
    v.srcObject = stream;
    v.play().catch(() => {});
  }
}

function setFeedState(name, text) {
  const tile = feedTile(name);
  tile.querySelector('.feed-state').textContent = text;
  tile.classList.toggle('pending', text !== '');
}

function removeFeed(name) {
  const tile = $('videos').querySelector('.feed[data-user="' + CSS.escape(name) + '"]:not(.local)');
  if (tile) tile.remove();
  refreshVideoArea();
}

function refreshVideoArea() {
  const box = $('videos');
  box.hidden = box.childElementCount === 0;
  document.body.classList.toggle('has-videos', !box.hidden);
}

function showLocalStream(stream) {
  const btn = $('cam-toggle');
  btn.classList.toggle('on', stream != null);
  btn.querySelector('.label').textContent = stream ? 'Stop webcam' : 'Start webcam';
  btn.title = stream ? 'Stop sharing your webcam' : 'Share your webcam';
  btn.replaceChild(icon(stream ? 'cameraOff' : 'camera'), btn.querySelector('svg'));
  if (stream) {
    const v = feedTile(state.me || 'me', { local: true }).querySelector('video');
    v.srcObject = stream;
    v.play().catch(() => {});
  } else {
    const tile = $('my-feed');
    if (tile) tile.remove();
    refreshVideoArea();
  }
}

function showViewers(names) {
  const tile = $('my-feed');
  if (!tile) return;
  tile.querySelector('.feed-viewers .count').textContent = String(names.length);
  tile.querySelector('.feed-viewers').title = names.length ? 'Watching you: ' + names.join(', ') : 'Nobody is watching';
}

async function toggleCamera() {
  if (!state.loggedIn) return;
  const btn = $('cam-toggle');
  if (video.broadcasting) {
    video.stopCamera();
    sendMe();
    return;
  }
  btn.disabled = true;
  try {
    await video.startCamera();
    sendMe();
  } catch (e) {
    addNotice(state.active, 'Could not start your webcam: ' + (e && e.message ? e.message : e), 'error');
  } finally {
    btn.disabled = false;
  }
}

function sendMe() {
  socket.send({ action: 'me', video: video.broadcasting ? VIDEO_ACTIVE : 0, status: 'online', dnd: false });
}

// ---- protocol --------------------------------------------------------------------------------

function wsUrl() {
  return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
}

function startSession(name) {
  if (socket) socket.stop();
  state.loggingIn = true;
  state.desiredName = name;
  setLoginBusy(true, state.jwt ? 'Signing in…' : 'Entering…');
  socket = new ChatSocket({
    url: wsUrl(),
    onOpen: (s) => {
      // Settings that live in this page are re-sent before logging in again.
      if (boot.blocklist.length) s.send({ action: 'blocklist', usernames: boot.blocklist });
      for (const n of state.muted) s.send({ action: 'mute', username: n });
      for (const n of state.booted) s.send({ action: 'boot', username: n });
      s.send({ action: 'login', username: state.me || state.desiredName || '', jwt: state.jwt || '', dnd: false });
    },
    onMessage: handle,
    onState: connectionState,
  });
  socket.connect();
}

function connectionState(s, detail) {
  const status = $('conn-status');
  status.dataset.state = s;
  $('reconnect').hidden = s !== STATES.LOST || !state.everLoggedIn;
  if (s === STATES.CONNECTED) {
    status.textContent = '';
  } else if (s === STATES.RECONNECTING) {
    status.textContent = 'Reconnecting…';
    if (state.loggedIn) {
      state.loggedIn = false;
      setComposerEnabled(false);
      addNotice(state.active, 'Connection lost; reconnecting…', 'local');
    }
  } else if (s === STATES.LOST) {
    status.textContent = 'Offline';
    setComposerEnabled(false);
    if (state.loggedIn) {
      state.loggedIn = false;
      addNotice(state.active, 'You are disconnected from the chat (' + (detail || 'closed') + '). Use Reconnect to come back.', 'error');
    } else if (state.loggingIn) {
      loginFailed('Could not reach the chat server. Please try again.');
    }
  } else {
    status.textContent = 'Connecting…';
  }
}

function handle(m) {
  switch (m.action) {
    case 'me': onMe(m); break;
    case 'who': setWho(m.whoList); break;
    case 'echo':
      for (const item of Array.isArray(m.messages) ? m.messages : []) {
        if (item && typeof item.channel === 'string' && item.channel) addChat(item.channel, item, { countUnread: false });
      }
      break;
    case 'message': onChat(m); break;
    case 'presence': onPresence(m); break;
    case 'error': onError(m); break;
    case 'disconnect': onDisconnect(); break;
    case 'ping':
      if (typeof m.jwt === 'string' && m.jwt) state.jwt = m.jwt;
      if (state.loggedIn) socket.healthy();
      break;
    case 'open': if (typeof m.username === 'string') video.onOpen(m.username); break;
    case 'ring': break; // the viewer's offer follows
    case 'sdp': if (typeof m.username === 'string') video.onSdp(m.username, m.description); break;
    case 'candidate': if (typeof m.username === 'string') video.onCandidate(m.username, m.candidate); break;
    case 'watch':
      if (typeof m.username === 'string' && video.broadcasting) {
        video.onWatch(m.username);
        addNotice(state.active, m.username + ' is now watching your camera.', 'local');
      }
      break;
    case 'unwatch': if (typeof m.username === 'string') video.onUnwatch(m.username); break;
    case 'cut':
      if (video.broadcasting) {
        video.stopCamera();
        sendMe();
        addNotice(state.active, 'An operator turned off your camera.', 'error');
      }
      break;
    case 'block':
      if (typeof m.username === 'string') {
        state.blocked.add(m.username);
        video.forget(m.username);
      }
      break;
    case 'takeback':
      for (const node of document.querySelectorAll('.msg[data-msg-id="' + CSS.escape(String(m.msgID)) + '"]')) node.remove();
      break;
    default: break; // react and anything newer: ignored
  }
}

function onMe(m) {
  if (typeof m.username === 'string' && m.username) state.me = m.username;
  if (state.loggedIn) return; // a later `me` (e.g. camera forced Explicit)
  const again = state.everLoggedIn;
  state.loggedIn = true;
  state.loggingIn = false;
  state.everLoggedIn = true;
  socket.healthy();
  hideLogin();
  setComposerEnabled(true);
  $('me-name').textContent = state.me;
  $('me-line').hidden = false;
  for (const n of state.muted) socket.send({ action: 'mute', username: n });
  for (const n of state.blocked) socket.send({ action: 'block', username: n });
  if (video.broadcasting) sendMe();
  if (again) addNotice(state.active, 'Reconnected.', 'local');
  if (!state.active) activate(firstChannelId());
}

function onChat(m) {
  if (typeof m.channel !== 'string' || !m.channel) return;
  addChat(m.channel, m);
}

function onPresence(m) {
  const name = typeof m.username === 'string' ? m.username : '';
  if (state.muted.has(name)) return;
  const text = serverHtmlToText(typeof m.message === 'string' ? m.message : '');
  addNotice(firstChannelId(), name + ' ' + text, 'presence');
}

function onError(m) {
  const text = typeof m.message === 'string' ? m.message : '';
  if (typeof m.channel === 'string' && m.channel) {
    const key = m.channel + '\u0000' + text;
    if (state.welcomed.has(key)) return;
    state.welcomed.add(key);
    addNotice(m.channel, text, 'welcome', { html: true });
    return;
  }
  state.lastError = serverHtmlToText(text);
  // Refusals of an `open` (spec 4.5), including the "no video" moderation rule.
  if (/^Could not open that video|ability to watch webcams/.test(state.lastError)) video.openRefused();
  if (!state.loggedIn && state.loggingIn) {
    loginFailed(state.lastError);
    return;
  }
  addNotice(state.active, text, 'error', { html: true });
}

function onDisconnect() {
  socket.stop();
  video.stopCamera();
  for (const name of [...video.watching.keys()]) video.closeFeed(name, { notify: false });
  if (state.loggingIn && !state.loggedIn) {
    loginFailed(state.lastError || 'The chat server refused the login.');
    return;
  }
  state.loggedIn = false;
  setComposerEnabled(false);
  addNotice(state.active, 'You have been disconnected from the chat.', 'error');
  showLogin('You have been disconnected from the chat. ' + (state.lastError || ''));
}

// ---- login overlay ---------------------------------------------------------------------------

function showLogin(message) {
  $('login').hidden = false;
  document.body.classList.add('logging-in');
  setLoginBusy(false);
  $('login-error').textContent = message || '';
  if (!state.jwt) $('login-name').focus();
}

function hideLogin() {
  $('login').hidden = true;
  document.body.classList.remove('logging-in');
  $('login-error').textContent = '';
}

function setLoginBusy(busy, text) {
  $('login-button').disabled = busy;
  $('login-name').disabled = busy;
  $('login-status').textContent = busy ? text || '' : '';
}

function loginFailed(text) {
  state.loggingIn = false;
  if (socket) socket.stop();
  if (state.jwt && !state.everLoggedIn) {
    // The token was refused: offer the name prompt (the server decides whether guests may enter).
    state.jwt = null;
    $('login-name').closest('label').hidden = false;
  }
  showLogin(text);
}

function setComposerEnabled(on) {
  $('message-box').disabled = !on;
  $('send-button').disabled = !on;
  $('cam-toggle').disabled = !on;
}

// ---- drawers (phone layout) ------------------------------------------------------------------

function closeDrawers() {
  document.body.classList.remove('show-channels', 'show-who');
}

function toggleDrawer(cls) {
  const open = document.body.classList.contains(cls);
  closeDrawers();
  if (!open) document.body.classList.add(cls);
}

// ---- wiring ----------------------------------------------------------------------------------

function init() {
  document.title = boot.title;
  $('login-title').textContent = boot.title;
  for (const node of document.querySelectorAll('[data-icon]')) node.prepend(icon(node.dataset.icon));
  for (const target of [$('branding'), $('login-branding')]) {
    if (boot.branding != null) target.innerHTML = boot.branding; // operator-supplied HTML (settings)
    else target.textContent = boot.title;
  }
  // Most sites brand with their title: say it once on the login card.
  $('login-title').hidden = $('login-branding').textContent.trim() === boot.title.trim();
  for (const c of boot.channels) conversation(c.id);
  activate(firstChannelId());
  setComposerEnabled(false);

  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = $('login-name').value.trim();
    if (!name && !state.jwt) {
      $('login-error').textContent = 'Please pick a name.';
      return;
    }
    try { localStorage.setItem('rtchat.name', name); } catch { /* private mode */ }
    $('login-error').textContent = '';
    state.me = null; // a new login, not a reconnection: use the name just typed
    startSession(name);
  });
  try { $('login-name').value = localStorage.getItem('rtchat.name') || ''; } catch { /* ignore */ }

  $('composer').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const box = $('message-box');
    const text = box.value;
    if (!text.trim() || !state.loggedIn) return;
    if (socket.send({ action: 'message', channel: state.active, message: text })) box.value = '';
  });
  $('cam-toggle').addEventListener('click', toggleCamera);
  $('reconnect').addEventListener('click', () => { if (socket && !state.loggedIn) socket.retry(); });
  $('toggle-channels').addEventListener('click', () => toggleDrawer('show-channels'));
  $('toggle-who').addEventListener('click', () => toggleDrawer('show-who'));
  $('scrim').addEventListener('click', closeDrawers);
  document.addEventListener('click', (ev) => {
    const menu = $('user-menu');
    if (!menu.hidden && !menu.contains(ev.target) && !ev.target.closest('.who-more')) closeUserMenu();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { closeUserMenu(); closeDrawers(); }
  });
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.active) {
      const conv = state.convs.get(state.active);
      conv.unread = 0;
      updateUnread(conv);
    }
  });

  if (boot.jwt) {
    $('login-name').value = '';
    $('login-name').closest('label').hidden = true;
    startSession('');
  } else {
    if (boot.jwtEnabled && boot.jwtStrict) {
      $('login-hint').textContent = 'This chat room needs you to sign in through its website first.';
    }
    showLogin('');
  }
}

// A small handle for diagnostics and browser tests.
window.rtchat = Object.freeze({
  state,
  video,
  dropSocket: () => socket && socket.drop(),
});

init();
