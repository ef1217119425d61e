package io.rtchat.server.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.Keys;
import io.jsonwebtoken.security.SignatureException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * Verifies and signs chat tokens: HS256 only (the algorithm is pinned), {@code exp} required and
 * not too far away, no clock leeway. Built only with a secret of at least 32 bytes.
 */
public final class JwtService {

  private static final Set<String> KNOWN = Set.of("sub", "op", "vip", "nick", "img", "url", "emoji",
      "gender", "rules", "exp", "iat", "nbf");

  private static final ObjectMapper HEADER_JSON = new ObjectMapper();

  private final SecretKey key;
  private final Duration maxLifetime;
  private final Clock clock;

  public JwtService(String secret, Duration maxLifetime, Clock clock) {
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < 32) {
      throw new IllegalArgumentException("JWT secret must be at least 32 bytes for HS256");
    }
    this.key = Keys.hmacShaKeyFor(bytes);
    this.maxLifetime = maxLifetime;
    this.clock = clock;
  }

  /** Verifies a token and returns its claims, or throws with a reason fit for the user. */
  public ChatClaims verify(String token) throws InvalidTokenException {
    if (token == null || token.isBlank()) {
      throw new InvalidTokenException("no token");
    }
    if (token.length() > 8192) {
      throw new InvalidTokenException("token too long");
    }
    String alg = headerAlgorithm(token.trim());
    if (alg.equalsIgnoreCase("none")) {
      throw new InvalidTokenException("unsigned or unsupported token (alg none; only HS256 is accepted)");
    }
    if (!alg.equals("HS256")) {
      throw new InvalidTokenException("algorithm " + alg + " is not accepted (only HS256)");
    }
    Jws<Claims> jws;
    try {
      jws = Jwts.parser()
          .verifyWith(key)
          .clock(() -> Date.from(clock.instant()))
          .build()
          .parseSignedClaims(token.trim());
    } catch (ExpiredJwtException e) {
      throw new InvalidTokenException("token has expired");
    } catch (PrematureJwtException e) {
      throw new InvalidTokenException("token is not valid yet (nbf)");
    } catch (SignatureException e) {
      throw new InvalidTokenException("signature does not match (wrong key?)");
    } catch (UnsupportedJwtException e) {
      throw new InvalidTokenException("unsigned or unsupported token (only HS256 is accepted)");
    } catch (MalformedJwtException e) {
      throw new InvalidTokenException("malformed token");
    } catch (JwtException | IllegalArgumentException e) {
      throw new InvalidTokenException("invalid token: " + e.getMessage());
    }
    if (!"HS256".equals(jws.getHeader().getAlgorithm())) {
      throw new InvalidTokenException("algorithm " + jws.getHeader().getAlgorithm() + " is not accepted (only HS256)");
    }
    Claims c = jws.getPayload();
    Date exp = c.getExpiration();
    if (exp == null) {
      throw new InvalidTokenException("token has no expiry (exp claim required)");
    }
    if (exp.toInstant().isAfter(clock.instant().plus(maxLifetime))) {
      throw new InvalidTokenException("token expiry is too far in the future (at most "
          + maxLifetime.toMinutes() + " minutes)");
    }
    String sub = c.getSubject();
    if (sub == null || sub.isBlank()) {
      throw new InvalidTokenException("token has no subject (sub claim required)");
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : c.entrySet()) {
      if (!KNOWN.contains(e.getKey())) {
        extra.put(e.getKey(), e.getValue());
      }
    }
    return new ChatClaims(sub, bool(c.get("op")), bool(c.get("vip")), str(c.get("nick")),
        str(c.get("img")), str(c.get("url")), str(c.get("emoji")), str(c.get("gender")),
        rules(c.get("rules")), extra);
  }

  /** Signs claims into a fresh token: {@code iat} = {@code nbf} = now, {@code exp} = now + ttl. */
  public String sign(ChatClaims claims, Duration ttl) {
    Instant now = clock.instant();
    Map<String, Object> m = claims.toMap();
    return Jwts.builder()
        .claims(m)
        .issuedAt(Date.from(now))
        .notBefore(Date.from(now))
        .expiration(Date.from(now.plus(ttl)))
        .signWith(key, Jwts.SIG.HS256)
        .compact();
  }

  /** The header's {@code alg}, read before any verification so the algorithm is pinned up front. */
  private static String headerAlgorithm(String token) throws InvalidTokenException {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      throw new InvalidTokenException("malformed token");
    }
    try {
      byte[] header = Base64.getUrlDecoder().decode(token.substring(0, dot));
      JsonNode n = HEADER_JSON.readTree(header);
      JsonNode alg = n == null ? null : n.get("alg");
      if (alg == null || !alg.isTextual()) {
        throw new InvalidTokenException("malformed token (no alg in header)");
      }
      return alg.asText();
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new InvalidTokenException("malformed token");
    }
  }

  private static boolean bool(Object o) {
    return o instanceof Boolean b ? b : o instanceof String s && s.equalsIgnoreCase("true");
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static List<String> rules(Object o) {
    List<String> out = new ArrayList<>();
    if (o instanceof List<?> list) {
      for (Object x : list) {
        out.add(String.valueOf(x));
      }
    } else if (o instanceof String s && !s.isBlank()) {
      for (String x : s.split(",")) {
        out.add(x.trim());
      }
    }
    return out;
  }
}
