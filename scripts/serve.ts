// Serves www/ and pkg/ on localhost: the demo page and the module it imports.
// Usage: deno run --allow-net=127.0.0.1 --allow-read scripts/serve.ts [port]
// Port 0 picks a free one; the URL is printed either way.
const root = new URL("..", import.meta.url);
// npm packages the benchmark page imports (p-queue), from the tools folder.
const tools = Deno.env.get("BM_TOOLS") ?? `${Deno.env.get("HOME")}/.cache/background-manager`;
const port = Number(Deno.args[0] ?? Deno.env.get("PORT") ?? 8080);

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".mjs": "text/javascript; charset=utf-8",
};

Deno.serve({
  hostname: "127.0.0.1",
  port,
  onListen: ({ port }) => console.log(`background-manager demo: http://localhost:${port}/www/`),
}, async (request) => {
  const url = new URL(request.url);
  let path = decodeURIComponent(url.pathname);
  if (path === "/" || path === "/www") return Response.redirect(new URL("/www/", url), 302);
  if (path.endsWith("/")) path += "index.html";
  // Only the folders the pages need (the console, the module, the benchmark and
  // browser-test pages, the benchmark's npm peers), and never a way out of them.
  if (!/^\/(www|pkg|bench|tests\/browser|vendor)\/[\w./-]+$/.test(path) || path.includes("..")) {
    return new Response("Not found", { status: 404 });
  }
  try {
    const file = path.startsWith("/vendor/")
      ? `${tools}/node_modules/${path.slice("/vendor/".length)}`
      : new URL("." + path, root);
    const body = await Deno.readFile(file);
    const type = TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream";
    return new Response(body, { headers: { "content-type": type, "cache-control": "no-store" } });
  } catch {
    return new Response("Not found", { status: 404 });
  }
});
