/**
 * The AlarmWebhook config (UpdateSystemConfig name `AlarmWebhook`):
 *   {"url": "https://...", "secret": "...", "events": ["alarm", "capture", "camera"], "enabled": true}
 * checked before it is stored (url http(s) without credentials, its host resolving only to addresses
 * WEBHOOK_ALLOWED_RANGES allows; secret 8..256 characters; events a non-empty subset, default
 * ["alarm"]; enabled default true), read by the dispatcher (workers/webhook.ts) and reported by
 * /QueryWebhookStatus. The secret reads back masked, as every secret of the system config does.
 */
import { AppError, isAppError } from '../../core/errors.ts';
import type { AddressPolicy } from '../../core/net/address-policy.ts';
import { EVENT_TYPES, type EventType } from '../../db/repositories/events.ts';
import type { SystemConfigRepo } from '../../db/repositories/systemConfig.ts';
import type { WebhookRepo } from '../../db/repositories/webhook.ts';
import { timeOf } from './common.ts';
import { parseConfigObject, type JsonObject } from './systemConfig.ts';

export const ALARM_WEBHOOK = 'AlarmWebhook';

export type WebhookConfig = { url: URL; secret: string; events: EventType[]; enabled: boolean };

/** The config's fields, checked; INVALID_CONFIG naming the field otherwise. */
export function webhookConfigOf(c: JsonObject): WebhookConfig {
  const bad = (why: string) => new AppError('INVALID_CONFIG', `config.${why}`);
  if (typeof c.url !== 'string' || c.url.length > 2048) throw bad('url: must be an http:// or https:// URL (at most 2048 characters)');
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    throw bad('url: must be an http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad('url: must be an http:// or https:// URL');
  // a password in the URL would read back unmasked: the secret is the credential
  if (url.username || url.password) throw bad('url: must not contain a user or password (the receiver checks the signature)');
  if (typeof c.secret !== 'string' || c.secret.length < 8 || c.secret.length > 256) throw bad('secret: must be a string of 8 to 256 characters');
  let events: EventType[] = ['alarm'];
  if (c.events !== undefined) {
    if (!Array.isArray(c.events) || !c.events.length || c.events.some((e) => !EVENT_TYPES.includes(e as EventType))) {
      throw bad(`events: must be a non-empty list of ${EVENT_TYPES.map((e) => `"${e}"`).join(', ')}`);
    }
    events = [...new Set(c.events as EventType[])];
  }
  if (c.enabled !== undefined && typeof c.enabled !== 'boolean') throw bad('enabled: must be true or false');
  return { url, secret: c.secret, events, enabled: c.enabled ?? true };
}

export function createWebhookService(deps: { repo: WebhookRepo; configs: SystemConfigRepo; policy: AddressPolicy; timeZone: string; resolveMs?: number }) {
  const { timeZone } = deps;

  /** the stored config, or null when there is none (or it no longer parses) */
  async function current(): Promise<WebhookConfig | null> {
    const row = await deps.configs.get(ALARM_WEBHOOK);
    if (!row) return null;
    try {
      return webhookConfigOf(parseConfigObject(row.config));
    } catch {
      return null;
    }
  }

  return {
    current,

    /** UpdateSystemConfig AlarmWebhook: the fields, and the receiver's address against the policy */
    async check(c: JsonObject): Promise<void> {
      const cfg = webhookConfigOf(c);
      const host = cfg.url.hostname.replace(/^\[|\]$/g, '');
      try {
        await deps.policy.resolve(host, deps.resolveMs ?? 3000);
      } catch (e) {
        if (isAppError(e) && e.kind === 'ADDRESS_NOT_ALLOWED') {
          throw new AppError('ADDRESS_NOT_ALLOWED', `config.url: ${host} is outside the allowed ranges (WEBHOOK_ALLOWED_RANGES)`);
        }
        throw new AppError('INVALID_CONFIG', `config.url: host ${host} does not resolve`);
      }
    },

    async status() {
      const [cfg, st] = await Promise.all([current(), deps.repo.status()]);
      return {
        info: {
          enabled: cfg?.enabled ? 1 : 0, url: cfg ? cfg.url.href : '', events: cfg?.events ?? [], pending: st.pending,
          oldest_pending_time: timeOf(st.oldestPending, timeZone), delivered: st.delivered ?? 0, dropped: st.dropped ?? 0,
          last_success_time: timeOf(st.lastSuccess, timeZone), last_error: st.lastError ?? '', last_error_time: timeOf(st.lastErrorTime, timeZone),
        },
      };
    },
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;
