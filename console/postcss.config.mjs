// Tailwind CSS v4 through PostCSS, which Next.js runs on every imported stylesheet (app/globals.css).
export default { plugins: { '@tailwindcss/postcss': {} } };
