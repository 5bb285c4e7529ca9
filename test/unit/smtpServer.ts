import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/** A message as the test SMTP server received it. */
export interface Received {
  from: string;
  to: string[];
  user: string | undefined;
  /** The session was encrypted (smtps or STARTTLS). */
  secure: boolean;
  raw: string;
}

/**
 * A real SMTP server (smtp-server, from the nodemailer project) on 127.0.0.1, port 0, that keeps what it
 * receives. Plain text (no STARTTLS: loopback); AUTH PLAIN/LOGIN with `user`/`pass` when given.
 */
export async function startSmtp(opts: { user?: string; pass?: string; extra?: Partial<SMTPServerOptions> } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    logger: false, disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authOptional: opts.user === undefined,
    onAuth(auth, _session, cb) {
      if (auth.username === opts.user && auth.password === opts.pass) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined, secure: session.secure, raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
    ...opts.extra,
  });
  // A client that gives up (an untrusted certificate) is an 'error' of the server: kept, not thrown.
  const errors: Error[] = [];
  server.on('error', (e: Error) => errors.push(e));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, errors, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The decoded text of each part of a MIME message, by content type (quoted-printable, base64 or 7bit). */
export function mimeParts(raw: string): Record<string, string> {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  if (!boundary) throw new Error('not a multipart message');
  const out: Record<string, string> = {};
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const split = part.indexOf('\r\n\r\n');
    const head = part.slice(0, split), body = part.slice(split + 4).replace(/\r\n$/, '');
    const type = /content-type:\s*([^;\r\n]+)/i.exec(head)?.[1].trim().toLowerCase() ?? '';
    const enc = /content-transfer-encoding:\s*(\S+)/i.exec(head)?.[1].toLowerCase() ?? '7bit';
    let text: string;
    if (enc === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    else if (enc === 'quoted-printable') {
      const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
      text = Buffer.from(bytes, 'latin1').toString('utf8');
    } else text = body;
    out[type] = text.replace(/\r\n/g, '\n');
  }
  return out;
}
