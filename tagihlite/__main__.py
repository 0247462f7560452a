from tagihlite.cli import main

raise SystemExit(main())
