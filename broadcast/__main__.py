from broadcast.cli import main

raise SystemExit(main())
