// Loaded with `node --import ./bench/maxRss.mjs …`: prints the process's peak resident memory on exit.
process.on('exit', () => { process.stderr.write(`\nmaxRSS ${process.resourceUsage().maxRSS}\n`); });
