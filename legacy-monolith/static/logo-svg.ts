// The logo served at /static/logo.svg (kept in a module so `tsc` ships it in dist/).
export const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">
<rect width="32" height="32" rx="6" fill="#e8c07d"/>
<path d="M8 24V8h4v12h8v4z" fill="#5b3a29"/>
</svg>
`;
