// The default theme without its web fonts: the site builds offline and loads nothing from another origin.
import DefaultTheme from 'vitepress/theme-without-fonts';

export default DefaultTheme;
