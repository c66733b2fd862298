from configparser import ConfigParser
import setuptools, shlex
config = ConfigParser(delimiters=['=']); config.read('settings.ini', encoding='utf-8'); cfg = config['DEFAULT']
setup_cfg = {o: cfg[o] for o in 'version description keywords author author_email'.split()}
setuptools.setup(name=cfg['lib_name'], license='Apache-2.0', url=cfg['git_url'],
    # data_samples/ (demo mix, style clips) also ships inside the package as bassnb/data_samples, for the widget and `bassnb app`
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']) + [cfg['lib_path'] + '.data_samples'],
    package_dir={cfg['lib_path'] + '.data_samples': 'data_samples'}, include_package_data=True,
    package_data={cfg['lib_path']: ['assets/*', 'assets/**/*'], cfg['lib_path'] + '.data_samples': ['*.ogg', '*.json', '*.md']},
    install_requires=shlex.split(cfg.get('requirements', '')),
    extras_require={'dev': shlex.split(cfg.get('dev_requirements', ''))},
    python_requires='>=' + cfg['min_python'], long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown', zip_safe=False,
    classifiers=['Programming Language :: Python :: 3', 'Development Status :: 3 - Alpha'],
    entry_points={'console_scripts': cfg.get('console_scripts', '').split(),
                  'nbdev': [f'{cfg["lib_path"]}={cfg["lib_path"]}._modidx:d']}, **setup_cfg)
