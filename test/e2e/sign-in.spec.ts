import { expect, test } from './fixtures.js';

/**
 * The manual SIP account form in Chromium: `ws://` only to this machine, `wss://` otherwise
 * (shared/sip/server-url.ts), said in the UI's language, and nothing sent to a refused server.
 */
test.describe('the SIP account form', () => {
  for (const { locale, server, username, password, domain, submit, message } of [
    {
      locale: 'en-GB', server: 'Server', username: 'Username', password: 'Password', domain: 'Domain', submit: 'Sign in',
      message: 'Use a wss:// address: unencrypted ws:// is allowed only for this computer',
    },
    {
      locale: 'fr-FR', server: 'Serveur', username: "Nom d'utilisateur", password: 'Mot de passe', domain: 'Domaine', submit: 'Se connecter',
      message: "Utilisez une adresse wss:// : ws:// non chiffré n'est permis que pour cet ordinateur",
    },
  ]) {
    test(`${locale}: a remote ws:// server is refused before anything is sent; loopback ws:// signs in`, async ({ browser, stack }) => {
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(new URL(socket.url()).host));
      const user = stack.users[0];
      if (user === undefined) throw new Error('no demo user');
      await page.goto(`${stack.webUrl}?e2e=1`);
      await page.getByLabel(server, { exact: true }).fill('ws://sip.example.fr:15080');
      await page.getByLabel(username).fill(user.username);
      await page.getByLabel(password).fill(user.password);
      await page.getByLabel(domain).fill(stack.domain);
      await page.getByRole('button', { name: submit }).click();
      await expect(page.getByRole('alert')).toContainText(message);
      await expect(page.getByLabel(server, { exact: true })).toHaveAttribute('aria-invalid', 'true');
      expect(sockets).toEqual([]);

      await page.getByLabel(server, { exact: true }).fill(stack.sipWsUrl);
      await page.getByRole('button', { name: submit }).click();
      await expect(page.getByRole('status')).toContainText(locale === 'fr-FR' ? 'Enregistré' : 'Registered');
      expect(sockets).toEqual([new URL(stack.sipWsUrl).host]);
      await context.close();
    });
  }
});
