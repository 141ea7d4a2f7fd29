import type { FastifyInstance } from 'fastify';
import { endpoints } from '../../../shared/api/endpoints';
import type { ActivityItem, NotificationView, RefillAttempt } from '../../../shared/api/wallet-schemas';
import type { CompanyWalletEvent } from '../events/wallet-event-hub';
import { eventForReader } from '../events/wallet-event-hub';
import { declineCodeSchema } from '../../../shared/api/wallet-schemas';
import { CardRejectedError } from '../payments/payment-provider';
import { ApiError } from '../http/api-error';
import { apiRoute, companyIdOf } from '../http/api-route';
import type { ManagerContext } from '../http/manager-context';
import type { LedgerTransactionRow, RefillRow } from '../store/repository';
import { activityFor } from './activity-visibility';

const idempotencyKeyPattern = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The Idempotency-Key header, validated; 400 when missing or malformed. */
export function idempotencyKeyOf(header: unknown): string {
  if (typeof header !== 'string' || !idempotencyKeyPattern.test(header)) {
    throw new ApiError(400, 'validation_failed', 'Idempotency-Key header required: 8-128 characters of A-Z a-z 0-9 _ . : -', [{ path: 'headers.idempotency-key', message: 'required' }]);
  }
  return header;
}

/** One ledger transaction as an activity line. */
export function activityItem(row: LedgerTransactionRow): ActivityItem {
  const details = row.details ? (JSON.parse(row.details) as Record<string, unknown>) : {};
  return {
    transactionId: row.id,
    seq: row.seq,
    kind: row.kind,
    amountMinor: row.walletDeltaMinor,
    currency: row.currency,
    balanceAfterMinor: row.balanceAfterMinor,
    createdAt: new Date(row.createdAt).toISOString(),
    reference: row.reference,
    call: row.kind === 'call_charge'
      ? {
          number: String(details.number ?? ''),
          answeredSeconds: Number(details.answeredSeconds ?? 0),
          billedSeconds: Number(details.billedSeconds ?? 0),
          prefix: row.ratePrefix ?? '',
          destination: String(details.destination ?? ''),
          deckVersion: row.deckVersion ?? '',
          extension: String(details.extension ?? ''),
        }
      : null,
  };
}

/** One refill row as an activity line. */
export function refillAttempt(row: RefillRow): RefillAttempt {
  const decline = declineCodeSchema.safeParse(row.declineCode);
  return {
    id: row.id, status: row.status, amountMinor: row.amountMinor, currency: row.currency, declineCode: decline.success ? decline.data : null,
    cause: row.cause ?? 'debit', attempt: row.attempt ?? 1, createdAt: new Date(row.createdAt).toISOString(), updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/** A notification's stored values; {} for rows written before they were kept (migration 6). */
export function notificationParams(params: string | null | undefined): Record<string, string | number | null> {
  if (!params) return {};
  const parsed: unknown = JSON.parse(params);
  if (typeof parsed !== 'object' || parsed === null) return {};
  const out: Record<string, string | number | null> = {};
  for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string' || typeof value === 'number' || value === null) out[key] = value;
  return out;
}

/**
 * The wallet event of a company for the SSE stream, with every paid call in progress and the seconds after
 * its answer at which the proxy cuts it (the reservation's maximum, as authorize and extend set it); each
 * stream passes on its reader's own calls only (`eventForReader`).
 */
export async function walletEventFor(ctx: ManagerContext, companyId: string): Promise<CompanyWalletEvent> {
  const view = await ctx.wallet.walletView(companyId);
  const company = await ctx.repository.store.getCompany(companyId);
  const reservations = await ctx.repository.store.listActiveReservations(companyId, ctx.now());
  const ownedCalls = reservations
    .filter((row) => row.charged)
    .slice(0, 100)
    .map((row) => ({ userId: row.userId, sipCallId: (row.callId.split('~')[0] ?? row.callId).slice(0, 255), maxDurationSeconds: row.maxSeconds }))
    .filter((call) => call.sipCallId.length > 0);
  return { companyId, balanceMinor: view.balanceMinor, currency: view.currency, lowBalance: view.lowBalance, seq: company?.lastSeq ?? 0, ownedCalls };
}

/** Wallet, top-ups, automatic refill, card on file, activity, notifications and the live event stream. */
export function registerWalletRoutes(app: FastifyInstance, ctx: ManagerContext): void {
  const store = ctx.repository.store;

  apiRoute(app, ctx, endpoints.wallet, ({ principal }) => ctx.wallet.walletView(companyIdOf(principal)));

  apiRoute(app, ctx, endpoints.topUpOptions, async ({ principal }) => {
    const company = await store.getCompany(companyIdOf(principal));
    return { currency: company?.currency ?? ctx.config.currency, amountsMinor: [...ctx.config.topUpAmountsMinor] };
  });

  apiRoute(app, ctx, endpoints.topUp, async ({ principal, body, request, reply }) => {
    const idempotencyKey = idempotencyKeyOf(request.headers['idempotency-key']);
    const result = await ctx.wallet.topUp({ companyId: companyIdOf(principal), userId: principal.user.id, amountMinor: body.amountMinor, currency: body.currency, idempotencyKey });
    reply.code(result.status);
    return result.body;
  });

  apiRoute(app, ctx, endpoints.getTopUp, ({ principal, params }) => ctx.wallet.getTopUp(companyIdOf(principal), params.id));

  apiRoute(app, ctx, endpoints.getAutoRefill, async ({ principal }) => (await ctx.wallet.walletView(companyIdOf(principal))).autoRefill);

  apiRoute(app, ctx, endpoints.putAutoRefill, async ({ principal, body }) => (await ctx.wallet.setAutoRefill(companyIdOf(principal), body, principal.user)).autoRefill);

  apiRoute(app, ctx, endpoints.getCard, async ({ principal }) => {
    const card = await store.getCard(companyIdOf(principal));
    return { card: card ? { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear } : null };
  });

  apiRoute(app, ctx, endpoints.putCard, async ({ principal, body }) => {
    const companyId = companyIdOf(principal);
    let card;
    try {
      card = await ctx.provider.tokenizeCard(body);
    } catch (error) {
      if (error instanceof CardRejectedError) throw new ApiError(422, 'validation_failed', `Card refused: ${error.message}`, [{ path: 'body.number', message: error.message }]);
      throw error;
    }
    // Audited with the write; the admin replaced a declining card: a refill retry waiting for its time runs now.
    await ctx.wallet.saveCard({ companyId, providerToken: card.token, brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear }, principal.user);
    return { card: { brand: card.brand, last4: card.last4, expMonth: card.expMonth, expYear: card.expYear } };
  });

  apiRoute(app, ctx, endpoints.activity, async ({ principal, query }) => {
    const rows = await store.listLedger(companyIdOf(principal), query.before ?? null, query.limit);
    const last = rows.at(-1);
    // Every refill attempt shows, declined and skipped ones too (they have no ledger line of their own).
    const refills = query.before === undefined ? await store.listRefillAttempts(companyIdOf(principal), 20) : [];
    return { items: await activityFor(store, principal.user, rows), nextBefore: rows.length === query.limit && last ? last.seq : null, refillAttempts: refills.map(refillAttempt) };
  });

  apiRoute(app, ctx, endpoints.notifications, async ({ principal }) => {
    const rows = await store.listNotifications(companyIdOf(principal), 50);
    return {
      notifications: rows.map((row) => ({
        id: row.id, kind: row.kind as NotificationView['kind'], message: row.message, params: notificationParams(row.params), createdAt: new Date(row.createdAt).toISOString(),
      })),
    };
  });

  apiRoute(app, ctx, endpoints.walletEvents, async ({ principal, request, reply }) => {
    const companyId = companyIdOf(principal);
    const session = principal.session;
    // Server-Sent Events (HTML Living Standard §9.2): the stream is written directly to the socket.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let open = true;
    const timers: NodeJS.Timeout[] = [];
    const cleanups: Array<() => void> = [];
    // The stream lives no longer than its token: it ends on sign-out (at once through this process, else
    // at the next event or heartbeat) and at expiry. Every event is sent only after the session checks out.
    const end = (why: string): void => {
      if (!open) return;
      open = false;
      for (const timer of timers) clearTimeout(timer);
      for (const cleanup of cleanups) cleanup();
      request.log.info({ event: 'wallet_stream_closed', userId: principal.user.id, why }, 'wallet event stream closed');
      raw.end();
    };
    let delivering: Promise<void> = Promise.resolve();
    const deliver = (write: string): void => {
      // One check at a time, in order, so events keep the hub's order.
      delivering = delivering.then(async () => {
        if (!open) return;
        if (!(await ctx.auth.isStillValid(session))) return end('session ended');
        if (open) raw.write(write);
      }).catch((error: unknown) => {
        request.log.error({ err: error }, 'wallet event stream');
        end('error');
      });
    };
    const send = (event: CompanyWalletEvent): void => deliver(`event: wallet\nid: ${event.seq}\ndata: ${JSON.stringify(eventForReader(event, principal.user.id))}\n\n`);
    cleanups.push(ctx.auth.onRevoked(session.tokenHash, () => end('signed out')));
    // setTimeout holds at most 2^31-1 ms (~24.8 days); a 30-day token is re-armed on the way.
    const armExpiry = (): void => {
      const left = session.expiresAt - ctx.now();
      if (left <= 0) return end('session expired');
      timers.push(setTimeout(armExpiry, Math.min(left, 2 ** 31 - 1)).unref());
    };
    armExpiry();
    request.raw.on('close', () => end('client left'));
    send(await walletEventFor(ctx, companyId));
    if (!open) return;
    cleanups.push(ctx.hub.subscribe(companyId, send));
    // The heartbeat is also the check for a sign-out on another instance while no event flows.
    const heartbeat = setInterval(() => deliver(': keep-alive\n\n'), 15_000);
    heartbeat.unref();
    cleanups.push(() => clearInterval(heartbeat));
  });
}
