// Starts the sglab app from a file rather than an inline script, so that the page's
// Content-Security-Policy can forbid inline scripts. Trunk writes the script tag (see
// `pattern_script` in Trunk.toml) with the hashed names of the bindings and the wasm module.
const tag = document.querySelector('script[data-sglab-js][data-sglab-wasm]');
const { default: init } = await import(tag.dataset.sglabJs);
await init({ module_or_path: tag.dataset.sglabWasm });
