// Settings the server writes into the page in place of the <!--rtchat:boot--> marker, as
// window.RTCHAT_BOOT. The page must also work when the marker was left as it is: then every
// value falls back to a default and the token is read from ?jwt= here.

const DEFAULT_CHANNELS = [
  { id: 'lobby', name: 'Lobby', vip: false, permitPhotos: false },
  { id: 'offtopic', name: 'Off Topic', vip: false, permitPhotos: true },
];

function first(obj, ...keys) {
  for (const k of keys) {
    if (obj && obj[k] !== undefined && obj[k] !== null) return obj[k];
  }
  return undefined;
}

function str(v, fallback) {
  return typeof v === 'string' ? v : fallback;
}

function channelsFrom(value) {
  if (!Array.isArray(value)) return DEFAULT_CHANNELS;
  const out = [];
  for (const c of value) {
    const id = str(first(c, 'id', 'ID'), '');
    if (!id) continue;
    out.push({
      id,
      name: str(first(c, 'name', 'Name'), id),
      vip: Boolean(first(c, 'vip', 'VIP')),
      permitPhotos: Boolean(first(c, 'permitPhotos', 'PermitPhotos')),
    });
  }
  return out.length ? out : DEFAULT_CHANNELS;
}

function iceServersFrom(turn) {
  const urls = first(turn, 'urls', 'URLs');
  if (!Array.isArray(urls) || urls.length === 0) return [];
  const server = { urls: urls.filter((u) => typeof u === 'string') };
  const username = str(first(turn, 'username', 'Username'), '');
  const credential = str(first(turn, 'credential', 'Credential'), '');
  if (username) server.username = username;
  if (credential) server.credential = credential;
  return server.urls.length ? [server] : [];
}

/** Reads window.RTCHAT_BOOT (tolerating camelCase or BareRTC's PascalCase keys). */
export function readBoot(win = window) {
  const raw = win.RTCHAT_BOOT && typeof win.RTCHAT_BOOT === 'object' ? win.RTCHAT_BOOT : {};
  const params = new URLSearchParams(win.location.search);
  const jwtParam = params.get('jwt');
  const jwt = str(first(raw, 'jwt', 'JWTTokenString'), '') || jwtParam || null;
  if (jwtParam !== null) {
    // Keep the token out of the address bar, history and shared links.
    params.delete('jwt');
    const q = params.toString();
    win.history.replaceState(null, '', win.location.pathname + (q ? '?' + q : '') + win.location.hash);
  }
  const jwtSettings = first(raw, 'jwtSettings', 'JWT') || {};
  return {
    present: Object.keys(raw).length > 0,
    title: str(first(raw, 'title', 'Title'), 'rtchat'),
    branding: str(first(raw, 'branding', 'Branding'), null), // operator HTML, or null
    websiteUrl: str(first(raw, 'websiteUrl', 'WebsiteURL'), ''),
    jwt,
    jwtEnabled: Boolean(first(raw, 'jwtEnabled') ?? first(jwtSettings, 'enabled', 'Enabled')),
    jwtStrict: Boolean(first(raw, 'jwtStrict') ?? first(jwtSettings, 'strict', 'Strict')),
    landingPageUrl: str(first(raw, 'landingPageUrl', 'LandingPageURL') ?? first(jwtSettings, 'landingPageUrl', 'LandingPageURL'), ''),
    channels: channelsFrom(first(raw, 'channels', 'Channels', 'PublicChannels')),
    iceServers: iceServersFrom(first(raw, 'turn', 'TURN') || {}),
    permitNsfw: Boolean(first(raw, 'permitNsfw', 'permitNSFW', 'PermitNSFW')),
    // Names the website asked us to mute and block before we even log in.
    blocklist: (first(raw, 'cachedBlocklist', 'CachedBlocklist') || []).filter((n) => typeof n === 'string' && n),
    // Operator HTML shown at the top of each direct message conversation (rebuilt safely).
    dmDisclaimer: str(first(raw, 'dmDisclaimer', 'DisclaimerMessage'), ''),
  };
}
